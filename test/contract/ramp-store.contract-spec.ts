import type { Redis } from 'ioredis';
import { EmbeddedDatabase } from '../../src/store/embedded/embedded-database';
import { EmbeddedRampStore } from '../../src/store/embedded/embedded-ramp.store';
import { closeRedisClient, createRedisClient, waitUntilReady } from '../../src/store/redis/redis-client';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { RedisRampStore } from '../../src/store/redis/redis-ramp.store';
import { describeRampStoreContract, rampRecord } from './ramp-store.contract';
import { deleteKeysWithPrefix, randomPrefix, requireRedisUrl } from './redis-test-keys';

describeRampStoreContract('Embedded (in-memory)', async () => {
  const db = EmbeddedDatabase.inMemory();
  return { store: new EmbeddedRampStore(db), peer: new EmbeddedRampStore(db), dispose: async () => db.close() };
});

const filePrefix = randomPrefix('ramp-contract');
let testCount = 0;
const clients: Redis[] = [];

describe('Redis', () => {
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

  describeRampStoreContract('Redis', async () => {
    const keys = new RedisKeys(`${filePrefix}:${++testCount}`);
    return { store: new RedisRampStore(clients[0], keys), peer: new RedisRampStore(clients[1], keys), dispose: async () => undefined };
  });

  it("keeps a ramp and its lease in the slug's hash slot", async () => {
    const keys = new RedisKeys(`${filePrefix}:slots`);
    const store = new RedisRampStore(clients[0], keys);
    await store.put('slot', 0, rampRecord({ slug: 'slot' }));
    await store.acquireLease('slot', 'me', 60_000);
    const found = (await clients[0].keys(`${keys.prefix}:*`)).filter((k) => k !== `${keys.prefix}:ramps`);
    expect(found).toHaveLength(2);
    expect(new Set(found.map((k) => /\{([^}]+)\}/.exec(k)?.[1]))).toEqual(new Set(['slot']));
  });
});
