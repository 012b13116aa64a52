import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A key prefix no other test file uses. */
export function randomPrefix(label: string): string {
  return `test:${label}:${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never KEYS). */
export async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export function requireRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: the global setup should have started a redis-server');
  return url;
}
