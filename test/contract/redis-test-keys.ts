import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EmbeddedDatabase } from '../../src/store/embedded/embedded-database';
import { closeRedisClient, createRedisClient, waitUntilReady } from '../../src/store/redis/redis-client';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { requireRedisUrl } from '../helpers/redis-server';

/** A key prefix no other test file uses. */
export function randomPrefix(label: string): string {
  return `test:${label}:${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never KEYS). */
export async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export interface PeerRedisClients {
  /** Two connections to the same Redis: one for a store, one for its peer (another replica). Ready inside tests. */
  readonly clients: Redis[];
  /** Keys under a fresh prefix (inside the file's prefix, deleted after the file). */
  freshKeys(suffix?: string): RedisKeys;
}

/**
 * Registers beforeAll/afterAll for a contract file that runs a store against a second instance of itself on the
 * same Redis: opens two fail-fast connections and, at the end, deletes every key the file wrote.
 */
export function usePeerRedisClients(label: string): PeerRedisClients {
  const filePrefix = randomPrefix(label);
  const clients: Redis[] = [];
  let count = 0;
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const client = createRedisClient(requireRedisUrl(), { commandTimeoutMs: 2000 });
      await waitUntilReady(client, 5000);
      clients.push(client);
    }
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(clients[0], filePrefix);
    await Promise.all(clients.map(closeRedisClient));
  });
  return { clients, freshKeys: (suffix) => new RedisKeys(`${filePrefix}:${suffix ?? ++count}`) };
}

/** A store and a second instance of it over the same data (another replica). */
export interface PeerFixture<S> {
  store: S;
  peer: S;
  dispose(): Promise<void>;
}

/**
 * Runs a store port's contract on both adapters: the embedded one (in-memory SQLite shared by store and peer) and the
 * Redis one (two connections). `redisExtras` adds Redis-only tests (hash slots, failure modes) in the Redis block.
 */
export function describeOnBothAdapters<S>(
  label: string,
  describeContract: (name: string, make: () => Promise<PeerFixture<S>>) => void,
  adapters: { embedded: (db: EmbeddedDatabase) => S; redis: (client: Redis, keys: RedisKeys) => S },
  redisExtras?: (redis: PeerRedisClients) => void,
): void {
  describeContract('Embedded (in-memory)', async () => {
    const db = EmbeddedDatabase.inMemory();
    return { store: adapters.embedded(db), peer: adapters.embedded(db), dispose: async () => db.close() };
  });

  describe('Redis', () => {
    const redis = usePeerRedisClients(label);
    describeContract('Redis', async () => {
      const keys = redis.freshKeys();
      return { store: adapters.redis(redis.clients[0], keys), peer: adapters.redis(redis.clients[1], keys), dispose: async () => undefined };
    });
    redisExtras?.(redis);
  });
}
