import type { Redis } from 'ioredis';
import { EMPTY_HEAD, type ChainHead } from '../../audit/domain/audit-chain';
import type { AuditEntry } from '../../audit/domain/audit-entry';
import { auditTimeMs } from '../record-order';
import type { RedisKeys } from './redis-keys';

/** A slug's head hash: its audit chain head plus the registry counters committed with it. */
export interface SlugHead {
  chain: ChainHead;
  latestVersion: number;
  revision: number;
}

export function parseSlugHead(fields: Record<string, string> | null | undefined): SlugHead {
  return {
    chain: fields?.seq ? { seq: Number(fields.seq), hash: fields.hash ?? EMPTY_HEAD.hash } : EMPTY_HEAD,
    latestVersion: Number(fields?.latest ?? 0),
    revision: Number(fields?.revision ?? 0),
  };
}

/** Reads audit chains. Entries are immutable once written, so reading them in several round trips is safe. */
export class RedisChains {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async head(chain: string): Promise<ChainHead> {
    return parseSlugHead(await this.client.hgetall(this.keys.chain(chain).head)).chain;
  }

  /** Oldest first. */
  async read(chain: string): Promise<AuditEntry[]> {
    const fields = await this.client.hgetall(this.keys.chain(chain).audit);
    return Object.entries(fields)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, json]) => JSON.parse(json) as AuditEntry);
  }

  /** The newest `limit` entries of each chain strictly before `beforeAt`, in two round trips whatever the chain count. */
  async recent(chains: readonly string[], limit: number, beforeAt?: string): Promise<AuditEntry[][]> {
    const max = beforeAt === undefined ? '+inf' : `(${auditTimeMs(beforeAt)}`;
    const ranges = this.client.pipeline();
    for (const chain of chains) ranges.zrevrangebyscore(this.keys.chain(chain).auditAt, max, '-inf', 'LIMIT', 0, limit);
    const seqs = (await execPipeline(ranges)) as string[][];
    const reads = this.client.pipeline();
    chains.forEach((chain, i) => {
      if (seqs[i].length > 0) reads.hmget(this.keys.chain(chain).audit, ...seqs[i].map((s) => String(Number(s))));
    });
    const bodies = (await execPipeline(reads)) as (string | null)[][];
    let next = 0;
    return chains.map((chain, i) => {
      if (seqs[i].length === 0) return [];
      return bodies[next++].map((json, j) => {
        if (json === null) throw new Error(`audit entry ${chain}:${Number(seqs[i][j])} is indexed but missing`);
        return JSON.parse(json) as AuditEntry;
      });
    });
  }
}

/** Runs a pipeline and returns its replies, throwing the first error. */
export async function execPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
