import { StoreUnavailableError } from '../../src/common/domain/domain-error';
import { EmbeddedExperimentStore } from '../../src/store/embedded/embedded-experiment.store';
import { closeRedisClient, createRedisClient } from '../../src/store/redis/redis-client';
import { RedisExperimentStore } from '../../src/store/redis/redis-experiment.store';
import { experimentKeys, RedisKeys } from '../../src/store/redis/redis-keys';
import { freePort } from '../helpers/redis-server';
import { describeExperimentStoreContract } from './experiment-store.contract';
import { describeOnBothAdapters, randomPrefix } from './redis-test-keys';

describeOnBothAdapters(
  'experiment-contract',
  describeExperimentStoreContract,
  { embedded: (db) => new EmbeddedExperimentStore(db), redis: (client, keys) => new RedisExperimentStore(client, keys) },
  ({ clients, freshKeys }) => {
    it('keeps every experiment key in the slug\'s hash slot, and event ids expire', async () => {
      const keys = freshKeys('slots');
      const store = new RedisExperimentStore(clients[0], keys);
      await store.recordExposures([{ slug: 'slot', version: 1, variant: 'v1', revision: 1, targetingKeyHash: 'a'.repeat(64), hour: 10 }]);
      await store.recordOutcomes([{ id: 'e1', slug: 'slot', version: 1, hour: 10, outputHash: 'o' }]);
      const found = await clients[0].keys(`${keys.prefix}:*`);
      expect(new Set(found.map((k) => /\{([^}]+)\}/.exec(k)?.[1]))).toEqual(new Set(['slot']));
      const ttl = await clients[0].ttl(experimentKeys(keys, 'slot').event('e1'));
      expect(ttl).toBeGreaterThan(30 * 24 * 3600);
    });

    it('fails fast with StoreUnavailableError when Redis is unreachable', async () => {
      const client = createRedisClient(`redis://127.0.0.1:${await freePort()}`, { commandTimeoutMs: 300 });
      try {
        const store = new RedisExperimentStore(client, new RedisKeys(randomPrefix('down')));
        await expect(store.recordOutcomes([{ id: 'x', slug: 'down', version: 1, hour: 1 }])).rejects.toThrow(StoreUnavailableError);
        await expect(store.recordExposures([{ slug: 'down', version: 1, variant: 'v1', revision: 0, targetingKeyHash: 'a'.repeat(64), hour: 1 }])).rejects.toThrow(StoreUnavailableError);
        await expect(store.readAggregates('down', 1, 2)).rejects.toThrow(StoreUnavailableError);
      } finally {
        await closeRedisClient(client);
      }
    });
  },
);
