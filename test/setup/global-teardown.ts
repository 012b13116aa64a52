import type { RedisServer } from '../helpers/redis-server';
import { REDIS_SERVER_GLOBAL } from './global-setup';

/** Stops the redis-server that global setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  const server = globals[REDIS_SERVER_GLOBAL] as RedisServer | undefined;
  if (!server) return;
  delete globals[REDIS_SERVER_GLOBAL];
  delete process.env.REDIS_URL;
  await server.stop();
}
