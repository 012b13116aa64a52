import { type AuditDraft, SYSTEM_CHAIN } from '../../audit/domain/audit-entry';
import { ConflictError } from '../../common/domain/domain-error';
import { type ApiKeyRecord, ApiKeyStore } from '../ports/api-key-store.port';
import { keepsBootstrapKey } from '../bootstrap-key';
import { compareApiKeys } from '../record-order';
import type { EmbeddedChains } from './embedded-chains';
import type { EmbeddedDatabase } from './embedded-database';
import { guardSqlite } from './sqlite-errors';

/** ApiKeyStore over SQLite; each change and its `_system` audit entry commit in one transaction. */
export class EmbeddedApiKeyStore extends ApiKeyStore {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly chains: EmbeddedChains,
  ) {
    super();
  }

  create(record: ApiKeyRecord, audit: AuditDraft): Promise<void> {
    return guardSqlite(() =>
      this.db.write(() => {
        this.assertAbsent(`store API key "${record.id}"`, record, null);
        this.db.statement('INSERT INTO api_keys (id, key_hash, record) VALUES (?, ?, ?)').run(record.id, record.keyHash, JSON.stringify(record));
        this.chains.append(SYSTEM_CHAIN, [audit]);
      }),
    );
  }

  ensureBootstrap(record: ApiKeyRecord, audit: AuditDraft, replace: boolean): Promise<boolean> {
    return guardSqlite(() =>
      this.db.write(() => {
        const existing = this.findById(record.id);
        if (keepsBootstrapKey(existing, record, replace)) return false;
        this.assertAbsent('store the bootstrap key', { id: existing ? null : record.id, keyHash: record.keyHash }, record.id);
        this.db
          .statement('INSERT INTO api_keys (id, key_hash, record) VALUES (@id, @hash, @record) ON CONFLICT (id) DO UPDATE SET key_hash = @hash, record = @record')
          .run({ id: record.id, hash: record.keyHash, record: JSON.stringify(record) });
        this.chains.append(SYSTEM_CHAIN, [audit]);
        return true;
      }),
    );
  }

  findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return guardSqlite(() => parseRecord(this.db.statement('SELECT record FROM api_keys WHERE key_hash = ?').get(keyHash)));
  }

  list(): Promise<ApiKeyRecord[]> {
    return guardSqlite(() => (this.db.statement('SELECT record FROM api_keys').all() as RecordRow[]).map((row) => parseRecord(row)!).sort(compareApiKeys));
  }

  revoke(id: string, at: string, audit: AuditDraft): Promise<ApiKeyRecord | null> {
    return guardSqlite(() =>
      this.db.write(() => {
        const existing = this.findById(id);
        if (!existing || existing.revokedAt !== null) return existing;
        const revoked: ApiKeyRecord = { ...existing, revokedAt: at };
        this.db.statement('UPDATE api_keys SET record = ? WHERE id = ?').run(JSON.stringify(revoked), id);
        this.chains.append(SYSTEM_CHAIN, [audit]);
        return revoked;
      }),
    );
  }

  private findById(id: string): ApiKeyRecord | null {
    return parseRecord(this.db.statement('SELECT record FROM api_keys WHERE id = ?').get(id));
  }

  /** @throws ConflictError when the id, or the key hash on another id than `owner`, is stored already. */
  private assertAbsent(what: string, key: { id: string | null; keyHash: string }, owner: string | null): void {
    const clash = this.db.statement('SELECT id FROM api_keys WHERE id = ? OR (key_hash = ? AND id IS NOT ?)').get(key.id, key.keyHash, owner) as
      | { id: string }
      | undefined;
    if (clash) throw new ConflictError(`Cannot ${what}: "${clash.id === key.id ? key.id : key.keyHash}" is already stored`);
  }
}

interface RecordRow {
  record: string;
}

function parseRecord(row: unknown): ApiKeyRecord | null {
  return row ? (JSON.parse((row as RecordRow).record) as ApiKeyRecord) : null;
}
