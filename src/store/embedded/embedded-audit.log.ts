import { type AuditDraft, type AuditEntry, SYSTEM_CHAIN } from '../../audit/domain/audit-entry';
import { AuditLog } from '../ports/prompt-store.port';
import type { EmbeddedChains } from './embedded-chains';
import type { EmbeddedDatabase } from './embedded-database';
import { guardSqlite } from './sqlite-errors';

/** AuditLog over SQLite: every chain in one table, so the merged trail is one indexed query. */
export class EmbeddedAuditLog extends AuditLog {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly chains: EmbeddedChains,
  ) {
    super();
  }

  appendSystem(draft: AuditDraft): Promise<AuditEntry> {
    return guardSqlite(() => this.db.write(() => this.chains.append(SYSTEM_CHAIN, [draft])[0]));
  }

  list(query: { slug?: string; limit: number; beforeAt?: string }): Promise<AuditEntry[]> {
    return guardSqlite(() => (query.limit <= 0 ? [] : this.chains.recent({ chain: query.slug, limit: query.limit, beforeAt: query.beforeAt })));
  }

  readChain(chain: string): Promise<AuditEntry[]> {
    return guardSqlite(() => this.chains.read(chain));
  }
}
