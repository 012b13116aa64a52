import type { ChainableCommander, Redis } from 'ioredis';
import { addField, emptyAggregate, EXPOSURES_FIELD, outcomeIncrements } from '../../experiments/domain/experiment-records';
import {
  ExperimentStore,
  MAX_READ_HOURS,
  type ExposureRecord,
  OUTCOME_ID_TTL_SECONDS,
  type OutcomeRecord,
  type OutcomeWriteStatus,
  type VersionAggregate,
} from '../ports/experiment-store.port';
import { guardRedis } from './redis-errors';
import { experimentKeys, type RedisKeys } from './redis-keys';

/**
 * KEYS[1] event id marker, KEYS[2] hour hash, KEYS[3] outputs HLL, KEYS[4] versions set.
 * ARGV[1] ttl, ARGV[2] version, ARGV[3] output hash ('' for none), ARGV[4] int pair count, then (field, n) int pairs,
 * then (field, x) float pairs. The id check and every increment happen in one script: all or nothing.
 */
const RECORD_OUTCOME_LUA = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) then return 0 end
redis.call('SADD', KEYS[4], ARGV[2])
if ARGV[3] ~= '' then redis.call('PFADD', KEYS[3], ARGV[3]) end
local ints = tonumber(ARGV[4])
local i = 5
for _ = 1, ints do
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  redis.call('HINCRBYFLOAT', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
return 1
`;

type WithRecordOutcome = ChainableCommander & {
  pfRecordOutcome(keys: [string, string, string, string], ...args: (string | number)[]): ChainableCommander;
};

/** ExperimentStore over Redis: one hash of counters and two HyperLogLogs per (slug, version, hour). */
export class RedisExperimentStore extends ExperimentStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
    if (!(client as unknown as Record<string, unknown>).pfRecordOutcome) {
      client.defineCommand('pfRecordOutcome', { numberOfKeys: 4, lua: RECORD_OUTCOME_LUA });
    }
  }

  async recordExposures(batch: ExposureRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const groups = new Map<string, { slug: string; version: number; hour: number; count: number; users: string[] }>();
    for (const e of batch) {
      const id = `${e.slug}\n${e.version}\n${e.hour}`;
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { slug: e.slug, version: e.version, hour: e.hour, count: 0, users: [] }));
      group.count += 1;
      group.users.push(e.targetingKeyHash);
    }
    const pipeline = this.client.pipeline();
    for (const g of groups.values()) {
      const k = experimentKeys(this.keys, g.slug);
      pipeline.sadd(k.versions, String(g.version));
      pipeline.hincrby(k.hour(g.version, g.hour), EXPOSURES_FIELD, g.count);
      pipeline.pfadd(k.users(g.version, g.hour), ...g.users);
    }
    await guardRedis(async () => throwFirstError(await pipeline.exec()));
  }

  async recordOutcomes(batch: OutcomeRecord[]): Promise<OutcomeWriteStatus[]> {
    if (batch.length === 0) return [];
    const pipeline = this.client.pipeline() as WithRecordOutcome;
    for (const record of batch) {
      const k = experimentKeys(this.keys, record.slug);
      const { ints, floats } = outcomeIncrements(record);
      const intPairs = Object.entries(ints).flatMap(([f, n]) => [f, String(n)]);
      const floatPairs = Object.entries(floats).flatMap(([f, x]) => [f, String(x)]);
      pipeline.pfRecordOutcome(
        [k.event(record.id), k.hour(record.version, record.hour), k.outputs(record.version, record.hour), k.versions],
        OUTCOME_ID_TTL_SECONDS,
        record.version,
        record.outputHash ?? '',
        intPairs.length / 2,
        ...intPairs,
        ...floatPairs,
      );
    }
    return guardRedis(async () => {
      const results = throwFirstError(await pipeline.exec());
      return results.map((r) => (Number(r) === 1 ? 'accepted' : 'duplicate'));
    });
  }

  async readAggregates(slug: string, fromHour: number, toHour: number): Promise<VersionAggregate[]> {
    if (toHour < fromHour) return [];
    if (toHour - fromHour + 1 > MAX_READ_HOURS) throw new RangeError(`at most ${MAX_READ_HOURS} hours can be read at once`);
    const k = experimentKeys(this.keys, slug);
    return guardRedis(async () => {
      const versions = (await this.client.smembers(k.versions)).map(Number).filter(Number.isSafeInteger).sort((a, b) => a - b);
      if (versions.length === 0) return [];
      const hours = Array.from({ length: toHour - fromHour + 1 }, (_, i) => fromHour + i);
      const pipeline = this.client.pipeline();
      for (const version of versions) {
        for (const hour of hours) pipeline.hgetall(k.hour(version, hour));
        pipeline.pfcount(...hours.map((hour) => k.users(version, hour)));
        pipeline.pfcount(...hours.map((hour) => k.outputs(version, hour)));
      }
      const replies = throwFirstError(await pipeline.exec());
      const aggregates: VersionAggregate[] = [];
      let i = 0;
      for (const version of versions) {
        const aggregate = emptyAggregate(version);
        for (let h = 0; h < hours.length; h++) {
          for (const [field, value] of Object.entries(replies[i++] as Record<string, string>)) addField(aggregate, field, Number(value));
        }
        aggregate.users = Number(replies[i++]);
        aggregate.distinctOutputs = Number(replies[i++]);
        if (aggregate.exposures > 0 || aggregate.calls > 0) aggregates.push(aggregate);
      }
      return aggregates;
    });
  }
}

function throwFirstError(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis pipeline was discarded');
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}
