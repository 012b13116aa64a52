import { EmbeddedAlertStore } from '../../src/store/embedded/embedded-alert.store';
import { EmbeddedDatabase } from '../../src/store/embedded/embedded-database';
import { RedisAlertStore } from '../../src/store/redis/redis-alert.store';
import { describeAlertStoreContract } from './alert-store.contract';
import { usePeerRedisClients } from './redis-test-keys';

describeAlertStoreContract('Embedded (in-memory)', async () => {
  const db = EmbeddedDatabase.inMemory();
  return { store: new EmbeddedAlertStore(db), peer: new EmbeddedAlertStore(db), dispose: async () => db.close() };
});

describe('Redis', () => {
  const { clients, freshKeys } = usePeerRedisClients('alert-contract');

  describeAlertStoreContract('Redis', async () => {
    const keys = freshKeys();
    return { store: new RedisAlertStore(clients[0], keys), peer: new RedisAlertStore(clients[1], keys), dispose: async () => undefined };
  });

  it("keeps every alert key in the slug's hash slot", async () => {
    const keys = freshKeys('slots');
    const store = new RedisAlertStore(clients[0], keys);
    await store.putRules('slot', {});
    await store.claimDelivery('slot', 'k', 60);
    const found = await clients[0].keys(`${keys.prefix}:*`);
    expect(new Set(found.map((k) => /\{([^}]+)\}/.exec(k)?.[1]))).toEqual(new Set(['slot']));
  });
});
