import type { Redis } from 'ioredis';
import { StoreHealth } from '../ports/change-feed.port';
import { guardRedis } from './redis-errors';

/** Liveness of Redis: a PING on the command connection, bounded by its command timeout. */
export class RedisStoreHealth extends StoreHealth {
  readonly kind = 'redis' as const;

  constructor(private readonly client: Redis) {
    super();
  }

  async ping(): Promise<void> {
    await guardRedis(() => this.client.ping());
  }
}
