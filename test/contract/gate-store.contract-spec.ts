import { EmbeddedGateStore } from '../../src/store/embedded/embedded-gate.store';
import { RedisGateStore } from '../../src/store/redis/redis-gate.store';
import { approval, describeGateStoreContract, evalResult } from './gate-store.contract';
import { describeOnBothAdapters } from './redis-test-keys';

describeOnBothAdapters(
  'gate-contract',
  describeGateStoreContract,
  { embedded: (db) => new EmbeddedGateStore(db), redis: (client, keys) => new RedisGateStore(client, keys) },
  ({ clients, freshKeys }) => {
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
  },
);
