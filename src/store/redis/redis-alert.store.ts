import type { Redis } from 'ioredis';
import { AlertStore, type AlertRuleOverrides } from '../ports/alert-store.port';
import { guardRedis } from './redis-errors';
import { alertKeys, type RedisKeys } from './redis-keys';

/** AlertStore over Redis: one JSON string per slug, one SET NX EX key per delivery claim. */
export class RedisAlertStore extends AlertStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  async getRules(slug: string): Promise<AlertRuleOverrides | null> {
    const raw = await guardRedis(() => this.client.get(alertKeys(this.keys, slug).rules));
    return raw === null ? null : (JSON.parse(raw) as AlertRuleOverrides);
  }

  async putRules(slug: string, rules: AlertRuleOverrides): Promise<void> {
    await guardRedis(() => this.client.set(alertKeys(this.keys, slug).rules, JSON.stringify(rules)));
  }

  async claimDelivery(slug: string, key: string, ttlSeconds: number): Promise<boolean> {
    const answer = await guardRedis(() => this.client.set(alertKeys(this.keys, slug).delivery(key), String(Date.now()), 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX'));
    return answer === 'OK';
  }

  async releaseDelivery(slug: string, key: string): Promise<void> {
    await guardRedis(() => this.client.del(alertKeys(this.keys, slug).delivery(key)));
  }
}
