import { EmbeddedAlertStore } from '../../src/store/embedded/embedded-alert.store';
import { RedisAlertStore } from '../../src/store/redis/redis-alert.store';
import { describeAlertStoreContract } from './alert-store.contract';
import { describeOnBothAdapters } from './redis-test-keys';

describeOnBothAdapters(
  'alert-contract',
  describeAlertStoreContract,
  { embedded: (db) => new EmbeddedAlertStore(db), redis: (client, keys) => new RedisAlertStore(client, keys) },
  ({ clients, freshKeys }) => {
    it("keeps every alert key in the slug's hash slot", async () => {
      const keys = freshKeys('slots');
      const store = new RedisAlertStore(clients[0], keys);
      await store.putRules('slot', {});
      await store.claimDelivery('slot', 'k', 60);
      const found = await clients[0].keys(`${keys.prefix}:*`);
      expect(new Set(found.map((k) => /\{([^}]+)\}/.exec(k)?.[1]))).toEqual(new Set(['slot']));
    });
  },
);
