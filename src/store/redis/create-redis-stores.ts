import type { Redis } from 'ioredis';
import type { StoreSet } from '../store-set';
import { RedisAlertStore } from './redis-alert.store';
import { RedisApiKeyStore } from './redis-api-key.store';
import { RedisAuditLog } from './redis-audit.log';
import { RedisChains } from './redis-chains';
import { RedisChangeFeed } from './redis-change.feed';
import { RedisExperimentStore } from './redis-experiment.store';
import { RedisGateStore } from './redis-gate.store';
import { RedisKeys } from './redis-keys';
import { RedisPromptStore } from './redis-prompt.store';
import { RedisRampStore } from './redis-ramp.store';
import { RedisScripts } from './redis-scripts';
import { RedisStoreHealth } from './redis-store.health';
import { RedisSystemChain } from './redis-system-chain';

export interface RedisStoreSet extends StoreSet {
  changeFeed: RedisChangeFeed;
}

/**
 * Every store port over one Redis, under `prefix`. `client` is a command connection (see createRedisClient) and
 * `subscriber` a separate pub/sub connection; both stay owned by the caller.
 */
export function createRedisStores(client: Redis, subscriber: Redis, prefix: string): RedisStoreSet {
  const keys = new RedisKeys(prefix);
  const scripts = new RedisScripts(client);
  const chains = new RedisChains(client, keys);
  const system = new RedisSystemChain(keys, scripts, chains);
  return {
    promptStore: new RedisPromptStore(client, keys, scripts),
    auditLog: new RedisAuditLog(client, keys, chains, system),
    apiKeyStore: new RedisApiKeyStore(client, keys, system),
    changeFeed: new RedisChangeFeed(client, subscriber, keys),
    health: new RedisStoreHealth(client),
    experimentStore: new RedisExperimentStore(client, keys),
    alertStore: new RedisAlertStore(client, keys),
    rampStore: new RedisRampStore(client, keys),
    gateStore: new RedisGateStore(client, keys),
  };
}
