import { RedisServer } from '../helpers/redis-server';

/** Where teardown finds the server (global setup and teardown run in the same process). */
export const REDIS_SERVER_GLOBAL = '__promptflagTestRedis__';

/**
 * Uses REDIS_URL when set; otherwise starts a throwaway redis-server on a free port and exports its URL to the tests.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  const server = await RedisServer.start();
  process.env.REDIS_URL = server.url;
  (globalThis as Record<string, unknown>)[REDIS_SERVER_GLOBAL] = server;
}
