import { Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { createEmbeddedStores } from './embedded/create-embedded-stores';
import { EmbeddedDatabase } from './embedded/embedded-database';
import { createRedisStores } from './redis/create-redis-stores';
import { closeRedisClient, createRedisClient, createRedisSubscriber, waitUntilReady } from './redis/redis-client';
import type { StoreSet } from './store-set';

/** The stores the app runs on, and how to release their connections. Also the DI token for them. */
export abstract class OpenedStores {
  abstract readonly stores: StoreSet;
  abstract close(): Promise<void>;
}

export const EMBEDDED_DB_FILE = 'promptflag.db';

/** Redis when REDIS_URL is set, otherwise the embedded database in DATA_DIR. */
export async function openStores(config: AppConfig, logger = new Logger('StoreModule')): Promise<OpenedStores> {
  return config.REDIS_URL ? openRedisStores(config, config.REDIS_URL, logger) : openEmbeddedStores(config, logger);
}

async function openRedisStores(config: AppConfig, url: string, logger: Logger): Promise<OpenedStores> {
  let lastError = '';
  const onError = (error: Error): void => {
    // Reconnects repeat the same error many times a second; log each distinct one once.
    if (error.message !== lastError) logger.warn(`Redis connection: ${error.message}`);
    lastError = error.message;
  };
  const client = createRedisClient(url, { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS, onError });
  const subscriber = createRedisSubscriber(url, { onError });
  client.on('ready', () => {
    if (lastError) logger.log('Redis connection restored');
    lastError = '';
  });
  try {
    await waitUntilReady(client, Math.max(config.REDIS_COMMAND_TIMEOUT_MS, 1000));
  } catch (error) {
    // Start anyway: /ready reports the store down and the client keeps reconnecting.
    logger.error(`Redis is not reachable yet (${(error as Error).message}); requests fail until it is`);
  }
  const stores = createRedisStores(client, subscriber, config.REDIS_KEY_PREFIX);
  logger.log(`Using Redis at ${redactUrl(url)} with key prefix "${config.REDIS_KEY_PREFIX}"`);
  return {
    stores,
    close: async () => {
      stores.changeFeed.close();
      await Promise.all([closeRedisClient(subscriber), closeRedisClient(client)]);
    },
  };
}

async function openEmbeddedStores(config: AppConfig, logger: Logger): Promise<OpenedStores> {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const path = join(config.DATA_DIR, EMBEDDED_DB_FILE);
  const db = EmbeddedDatabase.open(path);
  const stores = createEmbeddedStores(db);
  logger.log(`Using the embedded store at ${path} (set REDIS_URL to run several replicas)`);
  return {
    stores,
    close: async () => {
      stores.changeFeed.close();
      db.close();
    },
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://…';
  }
}
