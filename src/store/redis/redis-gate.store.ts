import type { Redis } from 'ioredis';
import type { StoredGatePolicy } from '../../gates/domain/gate-policy';
import type { Approval, EvalResult } from '../../gates/domain/promotion-gates';
import { GateStore, type VersionEvidence } from '../ports/gate-store.port';
import { execPipeline } from './redis-chains';
import { guardRedis } from './redis-errors';
import type { RedisKeys } from './redis-keys';

/** Every gate key of one slug, in the slug's hash slot `{slug}`. */
export function gateKeys(keys: RedisKeys, slug: string): { policy: string; evals(version: number): string; approvals(version: number): string } {
  if (slug.length === 0 || /[{}]/.test(slug)) throw new TypeError(`"${slug}" cannot be used in a Redis hash tag`);
  const tag = `${keys.prefix}:{${slug}}:gates`;
  return {
    policy: `${tag}:policy`,
    evals: (version) => `${tag}:v:${version}:evals`,
    approvals: (version) => `${tag}:v:${version}:approvals`,
  };
}

/** GateStore over Redis: a list of evals and a hash approver → approval per version, a JSON string per policy. */
export class RedisGateStore extends GateStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  async addEval(slug: string, version: number, result: EvalResult): Promise<void> {
    await guardRedis(() => this.client.rpush(gateKeys(this.keys, slug).evals(version), JSON.stringify(result)));
  }

  async addApproval(slug: string, version: number, approval: Approval): Promise<boolean> {
    const added = await guardRedis(() => this.client.hsetnx(gateKeys(this.keys, slug).approvals(version), approval.approver, JSON.stringify(approval)));
    return added === 1;
  }

  async evidence(slug: string, version: number): Promise<VersionEvidence> {
    const keys = gateKeys(this.keys, slug);
    const [evals, approvals] = (await guardRedis(() =>
      execPipeline(this.client.pipeline().lrange(keys.evals(version), 0, -1).hvals(keys.approvals(version))),
    )) as [string[], string[]];
    return {
      evals: evals.map((json) => JSON.parse(json) as EvalResult),
      approvals: approvals.map((json) => JSON.parse(json) as Approval).sort((a, b) => a.at.localeCompare(b.at)),
    };
  }

  async getPolicy(slug: string): Promise<StoredGatePolicy | null> {
    const raw = await guardRedis(() => this.client.get(gateKeys(this.keys, slug).policy));
    return raw === null ? null : (JSON.parse(raw) as StoredGatePolicy);
  }

  async putPolicy(slug: string, policy: StoredGatePolicy): Promise<void> {
    await guardRedis(() => this.client.set(gateKeys(this.keys, slug).policy, JSON.stringify(policy)));
  }
}
