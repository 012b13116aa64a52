import { EmbeddedDatabase } from '../../src/store/embedded/embedded-database';
import { EmbeddedRampStore } from '../../src/store/embedded/embedded-ramp.store';
import { RedisRampStore } from '../../src/store/redis/redis-ramp.store';
import { describeRampStoreContract, rampRecord } from './ramp-store.contract';
import { usePeerRedisClients } from './redis-test-keys';

describeRampStoreContract('Embedded (in-memory)', async () => {
  const db = EmbeddedDatabase.inMemory();
  return { store: new EmbeddedRampStore(db), peer: new EmbeddedRampStore(db), dispose: async () => db.close() };
});

describe('Redis', () => {
  const { clients, freshKeys } = usePeerRedisClients('ramp-contract');

  describeRampStoreContract('Redis', async () => {
    const keys = freshKeys();
    return { store: new RedisRampStore(clients[0], keys), peer: new RedisRampStore(clients[1], keys), dispose: async () => undefined };
  });

  it("keeps a ramp and its lease in the slug's hash slot", async () => {
    const keys = freshKeys('slots');
    const store = new RedisRampStore(clients[0], keys);
    await store.put('slot', 0, rampRecord({ slug: 'slot' }));
    await store.acquireLease('slot', 'me', 60_000);
    const found = (await clients[0].keys(`${keys.prefix}:*`)).filter((k) => k !== `${keys.prefix}:ramps`);
    expect(found).toHaveLength(2);
    expect(new Set(found.map((k) => /\{([^}]+)\}/.exec(k)?.[1]))).toEqual(new Set(['slot']));
  });
});
