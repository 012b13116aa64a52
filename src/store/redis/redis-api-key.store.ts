import type { Redis } from 'ioredis';
import type { AuditDraft } from '../../audit/domain/audit-entry';
import { type ApiKeyRecord, ApiKeyStore } from '../ports/api-key-store.port';
import { keepsBootstrapKey } from '../bootstrap-key';
import { compareApiKeys } from '../record-order';
import { guardRedis } from './redis-errors';
import type { RedisKeys } from './redis-keys';
import type { RedisSystemChain, SystemOp } from './redis-system-chain';

/** ApiKeyStore over Redis: records in one hash, an index by keyHash in another, changes audited on `_system`. */
export class RedisApiKeyStore extends ApiKeyStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
    private readonly system: RedisSystemChain,
  ) {
    super();
  }

  create(record: ApiKeyRecord, audit: AuditDraft): Promise<void> {
    return guardRedis(async () => {
      await this.system.write(`store API key "${record.id}"`, async () => ({
        ops: [{ op: 'absent', field: record.id, in: 'keys' }, { op: 'absent', field: record.keyHash, in: 'hashes' }, ...storeOps(record)],
        audit: [audit],
        result: undefined,
      }));
    });
  }

  ensureBootstrap(record: ApiKeyRecord, audit: AuditDraft, replace: boolean): Promise<boolean> {
    return guardRedis(async () => {
      const { result } = await this.system.write('store the bootstrap key', async () => {
        const existing = await this.findById(record.id);
        if (keepsBootstrapKey(existing, record, replace)) return { result: false, skip: true as const };
        const ops: SystemOp[] = [];
        if (existing) ops.push({ op: 'unindex', keyHash: existing.keyHash });
        if (existing?.keyHash !== record.keyHash) ops.push({ op: 'absent', field: record.keyHash, in: 'hashes' });
        return { ops: [...ops, ...storeOps(record)], audit: [audit], result: true };
      });
      return result;
    });
  }

  findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return guardRedis(async () => {
      const id = await this.client.hget(this.keys.apiKeyHashes(), keyHash);
      return id === null ? null : this.findById(id);
    });
  }

  list(): Promise<ApiKeyRecord[]> {
    return guardRedis(async () => {
      const records = await this.client.hvals(this.keys.apiKeys());
      return records.map((json) => JSON.parse(json) as ApiKeyRecord).sort(compareApiKeys);
    });
  }

  revoke(id: string, at: string, audit: AuditDraft): Promise<ApiKeyRecord | null> {
    return guardRedis(async () => {
      const { result } = await this.system.write(`revoke API key "${id}"`, async () => {
        const existing = await this.findById(id);
        if (!existing || existing.revokedAt !== null) return { result: existing, skip: true as const };
        const revoked: ApiKeyRecord = { ...existing, revokedAt: at };
        return { ops: [{ op: 'put', id, record: JSON.stringify(revoked) }], audit: [audit], result: revoked };
      });
      return result;
    });
  }

  private async findById(id: string): Promise<ApiKeyRecord | null> {
    const json = await this.client.hget(this.keys.apiKeys(), id);
    return json === null ? null : (JSON.parse(json) as ApiKeyRecord);
  }
}

function storeOps(record: ApiKeyRecord): SystemOp[] {
  return [
    { op: 'put', id: record.id, record: JSON.stringify(record) },
    { op: 'index', keyHash: record.keyHash, id: record.id },
  ];
}
