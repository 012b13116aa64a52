import type { Redis } from 'ioredis';
import { type AuditDraft, type AuditEntry, SYSTEM_CHAIN } from '../../audit/domain/audit-entry';
import { AuditLog } from '../ports/prompt-store.port';
import { compareAuditNewestFirst } from '../record-order';
import type { RedisChains } from './redis-chains';
import { guardRedis } from './redis-errors';
import type { RedisKeys } from './redis-keys';
import type { RedisSystemChain } from './redis-system-chain';

/** AuditLog over Redis: one chain per slug plus `_system`, each a hash of entries and a time index. */
export class RedisAuditLog extends AuditLog {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
    private readonly chains: RedisChains,
    private readonly system: RedisSystemChain,
  ) {
    super();
  }

  appendSystem(draft: AuditDraft): Promise<AuditEntry> {
    return guardRedis(async () => {
      const { entries } = await this.system.write('append to the system audit chain', async () => ({ ops: [], audit: [draft], result: null }));
      return entries[0];
    });
  }

  list(query: { slug?: string; limit: number; beforeAt?: string }): Promise<AuditEntry[]> {
    return guardRedis(async () => {
      if (query.limit <= 0) return [];
      const chains = query.slug !== undefined ? [query.slug] : [SYSTEM_CHAIN, ...(await this.client.smembers(this.keys.prompts()))];
      const perChain = await this.chains.recent(chains, query.limit, query.beforeAt);
      return perChain.flat().sort(compareAuditNewestFirst).slice(0, query.limit);
    });
  }

  readChain(chain: string): Promise<AuditEntry[]> {
    return guardRedis(() => this.chains.read(chain));
  }
}
