import type { Redis } from 'ioredis';
import { EmbeddedAlertStore } from '../../src/store/embedded/embedded-alert.store';
import { EmbeddedDatabase } from '../../src/store/embedded/embedded-database';
import { RedisAlertStore } from '../../src/store/redis/redis-alert.store';
import { closeRedisClient, createRedisClient, waitUntilReady } from '../../src/store/redis/redis-client';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { describeAlertStoreContract } from './alert-store.contract';
import { deleteKeysWithPrefix, randomPrefix, requireRedisUrl } from './redis-test-keys';

describeAlertStoreContract('Embedded (in-memory)', async () => {
  const db = EmbeddedDatabase.inMemory();
  return { store: new EmbeddedAlertStore(db), peer: new EmbeddedAlertStore(db), dispose: async () => db.close() };
});

const filePrefix = randomPrefix('alert-contract');
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

  describeAlertStoreContract('Redis', async () => {
    const keys = new RedisKeys(`${filePrefix}:${++testCount}`);
    return { store: new RedisAlertStore(clients[0], keys), peer: new RedisAlertStore(clients[1], keys), dispose: async () => undefined };
  });

  it("keeps every alert key in the slug's hash slot", async () => {
    const keys = new RedisKeys(`${filePrefix}:slots`);
    const store = new RedisAlertStore(clients[0], keys);
    await store.putRules('slot', {});
    await store.claimDelivery('slot', 'k', 60);
    const found = await clients[0].keys(`${keys.prefix}:*`);
    expect(new Set(found.map((k) => /\{([^}]+)\}/.exec(k)?.[1]))).toEqual(new Set(['slot']));
  });
});
