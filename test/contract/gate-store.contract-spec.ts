import { EmbeddedDatabase } from '../../src/store/embedded/embedded-database';
import { EmbeddedGateStore } from '../../src/store/embedded/embedded-gate.store';
import { RedisGateStore } from '../../src/store/redis/redis-gate.store';
import { approval, describeGateStoreContract, evalResult } from './gate-store.contract';
import { usePeerRedisClients } from './redis-test-keys';

describeGateStoreContract('Embedded (in-memory)', async () => {
  const db = EmbeddedDatabase.inMemory();
  return { store: new EmbeddedGateStore(db), peer: new EmbeddedGateStore(db), dispose: async () => db.close() };
});

describe('Redis', () => {
  const { clients, freshKeys } = usePeerRedisClients('gate-contract');

  describeGateStoreContract('Redis', async () => {
    const keys = freshKeys();
    return { store: new RedisGateStore(clients[0], keys), peer: new RedisGateStore(clients[1], keys), dispose: async () => undefined };
  });

  it("keeps a slug's gate evidence and policy in the slug's hash slot", async () => {
    const keys = freshKeys('slots');
    const store = new RedisGateStore(clients[0], keys);
    await store.addEval('slot', 1, evalResult());
    await store.addApproval('slot', 1, approval());
    await store.putPolicy('slot', { evalThreshold: null, highStakes: false, canaryPercent: 5, updatedAt: 'x', updatedBy: 'y' });
    const found = await clients[0].keys(`${keys.prefix}:*`);
    expect(found).toHaveLength(3);
    expect(new Set(found.map((k) => /\{([^}]+)\}/.exec(k)?.[1]))).toEqual(new Set(['slot']));
  });
});
