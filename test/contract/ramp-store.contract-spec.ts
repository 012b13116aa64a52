import { EmbeddedRampStore } from '../../src/store/embedded/embedded-ramp.store';
import { RedisRampStore } from '../../src/store/redis/redis-ramp.store';
import { describeRampStoreContract, rampRecord } from './ramp-store.contract';
import { describeOnBothAdapters } from './redis-test-keys';

describeOnBothAdapters(
  'ramp-contract',
  describeRampStoreContract,
  { embedded: (db) => new EmbeddedRampStore(db), redis: (client, keys) => new RedisRampStore(client, keys) },
  ({ clients, freshKeys }) => {
    it("keeps a ramp and its lease in the slug's hash slot", async () => {
      const keys = freshKeys('slots');
      const store = new RedisRampStore(clients[0], keys);
      await store.put('slot', 0, rampRecord({ slug: 'slot' }));
      await store.acquireLease('slot', 'me', 60_000);
      const found = (await clients[0].keys(`${keys.prefix}:*`)).filter((k) => k !== `${keys.prefix}:ramps`);
      expect(found).toHaveLength(2);
      expect(new Set(found.map((k) => /\{([^}]+)\}/.exec(k)?.[1]))).toEqual(new Set(['slot']));
    });
  },
);
