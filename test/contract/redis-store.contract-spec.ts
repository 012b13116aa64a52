import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../src/common/domain/domain-error';
import { createRedisStores, type RedisStoreSet } from '../../src/store/redis/create-redis-stores';
import { closeRedisClient, createRedisClient, createRedisSubscriber, waitUntilReady } from '../../src/store/redis/redis-client';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { createdAudit, describeStoreContract, newVersion } from './store.contract';
import { freePort, requireRedisUrl } from '../helpers/redis-server';
import { deleteKeysWithPrefix, randomPrefix } from './redis-test-keys';

const filePrefix = randomPrefix('redis-contract');
let testCount = 0;
/** Two independent connection pairs, so the peer instance really races and listens over the network. */
const connections: { client: Redis; subscriber: Redis }[] = [];

async function connect(): Promise<{ client: Redis; subscriber: Redis }> {
  const url = requireRedisUrl();
  const pair = { client: createRedisClient(url, { commandTimeoutMs: 2000 }), subscriber: createRedisSubscriber(url) };
  await waitUntilReady(pair.client, 5000);
  return pair;
}

beforeAll(async () => {
  connections.push(await connect(), await connect());
});

afterAll(async () => {
  await deleteKeysWithPrefix(connections[0].client, filePrefix);
  await Promise.all(connections.flatMap(({ client, subscriber }) => [closeRedisClient(client), closeRedisClient(subscriber)]));
});

describeStoreContract('Redis', async () => {
  const prefix = `${filePrefix}:${++testCount}`;
  const keys = new RedisKeys(prefix);
  const [main, other] = connections;
  const stores = createRedisStores(main.client, main.subscriber, prefix);
  const peer = createRedisStores(other.client, other.subscriber, prefix);
  return {
    stores,
    peer,
    tamperAuditEntry: async (chain, seq, patch) => {
      const field = String(seq);
      const json = await main.client.hget(keys.chain(chain).audit, field);
      if (!json) throw new Error(`no audit entry ${chain}:${seq}`);
      await main.client.hset(keys.chain(chain).audit, field, JSON.stringify({ ...JSON.parse(json), ...patch }));
    },
    dispose: async () => {
      stores.changeFeed.close();
      peer.changeFeed.close();
    },
  };
});

describe('Redis store specifics', () => {
  let stores: RedisStoreSet;
  const prefix = `${filePrefix}:specifics`;

  beforeAll(() => {
    stores = createRedisStores(connections[0].client, connections[0].subscriber, prefix);
  });

  afterAll(() => stores.changeFeed.close());

  it('keeps every key under the prefix, each slug in its own hash slot and the rest in {_system}', async () => {
    await stores.promptStore.createVersion(newVersion('slot-a'), createdAudit, 'idem-1');
    await stores.promptStore.changeStatuses('slot-a', 0, [{ version: 1, from: 'draft', to: 'prod' }], [{ at: new Date().toISOString(), actor: 't', action: 'p' }]);
    await stores.promptStore.putRollout('slot-a', 1, { allocation: [], rules: [], updatedAt: new Date().toISOString(), updatedBy: 't' }, { at: new Date().toISOString(), actor: 't', action: 'r' });
    await stores.auditLog.appendSystem({ at: new Date().toISOString(), actor: 't', action: 's' });
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await connections[0].client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const tags = new Set(keys.filter((k) => k !== `${prefix}:prompts`).map((k) => /^[^{]*\{([^}]+)\}/.exec(k)?.[1]));
    expect(tags).toEqual(new Set(['slot-a', '_system']));
    expect(keys.sort()).toEqual(
      [
        `${prefix}:prompts`,
        `${prefix}:{slot-a}:head`,
        `${prefix}:{slot-a}:status`,
        `${prefix}:{slot-a}:v:1`,
        `${prefix}:{slot-a}:idem:idem-1`,
        `${prefix}:{slot-a}:rollout`,
        `${prefix}:{slot-a}:audit`,
        `${prefix}:{slot-a}:audit:at`,
        `${prefix}:{_system}:head`,
        `${prefix}:{_system}:audit`,
        `${prefix}:{_system}:audit:at`,
      ].sort(),
    );
  });

  it('never overwrites a version body, even if the head were rolled back', async () => {
    const keys = new RedisKeys(prefix);
    await stores.promptStore.createVersion(newVersion('guarded'), createdAudit);
    const body = await connections[0].client.get(keys.version('guarded', 1));
    await connections[0].client.hset(keys.chain('guarded').head, 'latest', 0, 'seq', 0);
    await expect(stores.promptStore.createVersion(newVersion('guarded'), createdAudit)).rejects.toThrow(/PF_INVARIANT/);
    await expect(connections[0].client.get(keys.version('guarded', 1))).resolves.toBe(body);
  });

  describe('when Redis is unreachable', () => {
    let client: Redis;
    let subscriber: Redis;
    let down: RedisStoreSet;

    beforeAll(async () => {
      const url = `redis://127.0.0.1:${await freePort()}`;
      client = createRedisClient(url, { commandTimeoutMs: 300 });
      subscriber = createRedisSubscriber(url);
      down = createRedisStores(client, subscriber, randomPrefix('down'));
    });

    afterAll(async () => {
      down.changeFeed.close();
      await Promise.all([closeRedisClient(client), closeRedisClient(subscriber)]);
    });

    it('fails fast with StoreUnavailableError on reads, writes and pings', async () => {
      const started = Date.now();
      await expect(down.health.ping()).rejects.toThrow(StoreUnavailableError);
      await expect(down.health.ping()).rejects.toThrow(/^Redis is unreachable: /);
      await expect(down.promptStore.getState('x')).rejects.toThrow(StoreUnavailableError);
      await expect(down.promptStore.createVersion(newVersion('x'), createdAudit)).rejects.toThrow(StoreUnavailableError);
      await expect(down.auditLog.list({ limit: 5 })).rejects.toThrow(StoreUnavailableError);
      await expect(down.apiKeyStore.list()).rejects.toThrow(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('drops a change event rather than failing the caller', async () => {
      await expect(down.changeFeed.publish({ kind: 'keys', keyId: 'k' })).resolves.toBeUndefined();
    });
  });
});
