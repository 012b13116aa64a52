import { SYSTEM_CHAIN } from '../../audit/domain/audit-entry';

/** The keys of one audit chain. Every chain-writing script takes these as KEYS[1..3]. */
export interface ChainKeys {
  /** Hash: `seq`, `hash` (chain head); for a slug also `latest` (version) and `revision`. */
  head: string;
  /** Hash: seq → sealed entry JSON. */
  audit: string;
  /** Sorted set: zero-padded seq scored by the entry's time, to page the trail by time. */
  auditAt: string;
}

/**
 * Every Redis key and channel name, behind one prefix. All keys of a slug share the hash tag `{slug}` (one cluster
 * slot, so one Lua script can touch them all); the system chain and the API keys share `{_system}`.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {
    if (prefix.length === 0 || /[{}]/.test(prefix)) throw new TypeError(`invalid Redis key prefix "${prefix}"`);
  }

  /** Set of every slug ever written. Another slot than the slug's keys, so it is written before the slug's commit. */
  prompts(): string {
    return `${this.prefix}:prompts`;
  }

  chain(chain: string): ChainKeys {
    const tag = this.tag(chain);
    return { head: `${tag}:head`, audit: `${tag}:audit`, auditAt: `${tag}:audit:at` };
  }

  /** String: the version's immutable body JSON, written once with SET NX. */
  version(slug: string, version: number): string {
    return `${this.tag(slug)}:v:${version}`;
  }

  /** Hash: version → status. */
  status(slug: string): string {
    return `${this.tag(slug)}:status`;
  }

  /** String: the stored rollout JSON. */
  rollout(slug: string): string {
    return `${this.tag(slug)}:rollout`;
  }

  /** String: the kill switch JSON while it is on (absent when off). */
  kill(slug: string): string {
    return `${this.tag(slug)}:kill`;
  }

  /** String: the version number an idempotency key created. */
  idempotency(slug: string, key: string): string {
    return `${this.tag(slug)}:idem:${key}`;
  }

  /** Hash: API key id → record JSON. */
  apiKeys(): string {
    return `${this.tag(SYSTEM_CHAIN)}:keys`;
  }

  /** Hash: keyHash → API key id. */
  apiKeyHashes(): string {
    return `${this.tag(SYSTEM_CHAIN)}:keyhash`;
  }

  /** Pub/sub channel of the change feed. */
  changes(): string {
    return `${this.prefix}:changes`;
  }

  private tag(name: string): string {
    if (name.length === 0 || /[{}]/.test(name)) throw new TypeError(`"${name}" cannot be used in a Redis hash tag`);
    return `${this.prefix}:{${name}}`;
  }
}

/** Keys of one slug's experiment aggregates, in the slug's hash slot `{slug}` (same tag as RedisKeys uses). */
export interface ExperimentKeys {
  /** Set: versions with any experiment data. */
  versions: string;
  /** Hash: counter field → value for one version and hour. */
  hour(version: number, hour: number): string;
  /** HyperLogLog: targeting-key hashes exposed to one version in one hour. */
  users(version: number, hour: number): string;
  /** HyperLogLog: output hashes of one version in one hour. */
  outputs(version: number, hour: number): string;
  /** String: marks an outcome event id as counted (SET NX with expiry). */
  event(id: string): string;
}

export function experimentKeys(keys: RedisKeys, slug: string): ExperimentKeys {
  if (slug.length === 0 || /[{}]/.test(slug)) throw new TypeError(`"${slug}" cannot be used in a Redis hash tag`);
  const tag = `${keys.prefix}:{${slug}}:exp`;
  return {
    versions: `${tag}:versions`,
    hour: (version, hour) => `${tag}:${version}:${hour}`,
    users: (version, hour) => `${tag}:${version}:${hour}:users`,
    outputs: (version, hour) => `${tag}:${version}:${hour}:out`,
    event: (id) => `${keys.prefix}:{${slug}}:evt:${id}`,
  };
}

/** Keys of one slug's alert rules and delivery claims, in the slug's hash slot `{slug}`. */
export interface AlertKeys {
  /** String: the rule overrides JSON. */
  rules: string;
  /** String: a delivery claim (SET NX with expiry). */
  delivery(key: string): string;
}

export function alertKeys(keys: RedisKeys, slug: string): AlertKeys {
  if (slug.length === 0 || /[{}]/.test(slug)) throw new TypeError(`"${slug}" cannot be used in a Redis hash tag`);
  const tag = `${keys.prefix}:{${slug}}:alert`;
  return { rules: `${tag}:rules`, delivery: (key) => `${tag}:sent:${key}` };
}
