import type { Redis } from 'ioredis';
import { RampStore, type RampRecord } from '../ports/ramp-store.port';
import { guardRedis } from './redis-errors';
import type { RedisKeys } from './redis-keys';

/** Writes the ramp if its stored revision is still ARGV[1] (0: none). KEYS[1] = the ramp. */
const PUT_RAMP = `
local current = redis.call('GET', KEYS[1])
local revision = 0
if current then revision = cjson.decode(current).revision end
if tostring(revision) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

/** Deletes the lease only if ARGV[1] still owns it. */
const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Every key of one slug's ramp, in the slug's hash slot `{slug}`. */
export function rampKeys(keys: RedisKeys, slug: string): { ramp: string; lease: string } {
  if (slug.length === 0 || /[{}]/.test(slug)) throw new TypeError(`"${slug}" cannot be used in a Redis hash tag`);
  const tag = `${keys.prefix}:{${slug}}:ramp`;
  return { ramp: tag, lease: `${tag}:lease` };
}

/** RampStore over Redis: one JSON string per slug written by a CAS script, a SET NX PX lease, a set of slugs. */
export class RedisRampStore extends RampStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  private get index(): string {
    return `${this.keys.prefix}:ramps`;
  }

  async get(slug: string): Promise<RampRecord | null> {
    const raw = await guardRedis(() => this.client.get(rampKeys(this.keys, slug).ramp));
    return raw === null ? null : (JSON.parse(raw) as RampRecord);
  }

  async put(slug: string, expectedRevision: number, record: RampRecord): Promise<boolean> {
    // The index lives in another slot: written first, so a stored ramp is always listed.
    await guardRedis(() => this.client.sadd(this.index, slug));
    const answer = await guardRedis(() => this.client.eval(PUT_RAMP, 1, rampKeys(this.keys, slug).ramp, String(expectedRevision), JSON.stringify(record)));
    return answer === 1;
  }

  async slugs(): Promise<string[]> {
    return (await guardRedis(() => this.client.smembers(this.index))).sort();
  }

  async acquireLease(slug: string, owner: string, ttlMs: number): Promise<boolean> {
    const answer = await guardRedis(() => this.client.set(rampKeys(this.keys, slug).lease, owner, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'));
    return answer === 'OK';
  }

  async releaseLease(slug: string, owner: string): Promise<void> {
    await guardRedis(() => this.client.eval(RELEASE_LEASE, 1, rampKeys(this.keys, slug).lease, owner));
  }
}
