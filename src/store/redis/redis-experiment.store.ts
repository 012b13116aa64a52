import type { ChainableCommander, Redis } from 'ioredis';
import { addField, emptyAggregate, EXPOSURES_FIELD } from '../../experiments/domain/experiment-records';
import { groupExposuresByCell } from '../../experiments/domain/exposure-cells';
import { hasDistinctIds, planOutcomeBatch, type SlugBatch, sumAccepted } from '../../experiments/domain/outcome-batch';
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
import { RECORD_NEW_OUTCOMES_LUA, RECORD_OUTCOMES_LUA } from './redis-scripts';
import { experimentKeys, type RedisKeys } from './redis-keys';

/** Events per script call: bounds how long one call holds Redis (a few ms); a larger slug batch is split. */
const MAX_EVENTS_PER_SCRIPT = 1_000;

type ScriptCall = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => ChainableCommander;
type WithOutcomeScripts = ChainableCommander & { pfRecordOutcomes: ScriptCall; pfRecordNewOutcomes: ScriptCall };

/** ExperimentStore over Redis: one hash of counters and two HyperLogLogs per (slug, version, hour). */
export class RedisExperimentStore extends ExperimentStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
    const host = client as unknown as Record<string, unknown>;
    if (!host.pfRecordOutcomes) client.defineCommand('pfRecordOutcomes', { lua: RECORD_OUTCOMES_LUA });
    if (!host.pfRecordNewOutcomes) client.defineCommand('pfRecordNewOutcomes', { lua: RECORD_NEW_OUTCOMES_LUA });
  }

  async recordExposures(batch: ExposureRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const cell of groupExposuresByCell(batch)) {
      const k = experimentKeys(this.keys, cell.slug);
      pipeline.sadd(k.versions, String(cell.version));
      pipeline.hincrby(k.hour(cell.version, cell.hour), EXPOSURES_FIELD, cell.count);
      pipeline.pfadd(k.users(cell.version, cell.hour), ...cell.userHashes);
    }
    await guardRedis(async () => throwFirstError(await pipeline.exec()));
  }

  /**
   * One script call per slug and MAX_EVENTS_PER_SCRIPT events, all in one pipeline: the fast form when a part's ids
   * are distinct, then the general form for the parts where the fast one found an id already counted.
   */
  async recordOutcomes(batch: OutcomeRecord[]): Promise<OutcomeWriteStatus[]> {
    if (batch.length === 0) return [];
    const parts = planOutcomeBatch(batch, MAX_EVENTS_PER_SCRIPT);
    return guardRedis(async () => {
      const statuses = new Array<OutcomeWriteStatus>(batch.length);
      const fast = parts.filter(hasDistinctIds);
      const pipeline = this.client.pipeline() as WithOutcomeScripts;
      for (const part of fast) pipeline.pfRecordNewOutcomes(...this.newOutcomesArguments(part));
      const fastReplies = fast.length > 0 ? throwFirstError(await pipeline.exec()) : [];
      const general = parts.filter((part) => {
        const position = fast.indexOf(part);
        if (position < 0 || Number(fastReplies[position]) !== 1) return true;
        for (const event of part.events) statuses[event.index] = 'accepted';
        return false;
      });
      if (general.length === 0) return statuses;
      const retry = this.client.pipeline() as WithOutcomeScripts;
      for (const part of general) retry.pfRecordOutcomes(...this.outcomesArguments(part));
      throwFirstError(await retry.exec()).forEach((reply, p) => {
        const flags = String(reply);
        general[p].events.forEach((event, position) => (statuses[event.index] = flags[position] === '1' ? 'accepted' : 'duplicate'));
      });
      return statuses;
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

  /** KEYS and ARGV of RECORD_OUTCOMES_LUA, after the key count. */
  private outcomesArguments(part: SlugBatch): [number, ...(string | number)[]] {
    const keys = this.partKeys(part);
    const args: (string | number)[] = [OUTCOME_ID_TTL_SECONDS, part.cells.length, ...part.cells.map((cell) => cell.version), part.slots.length];
    for (const slot of part.slots) args.push(slot.cell, slot.field, slot.float ? 'f' : 'i');
    for (const event of part.events) args.push(event.cell, event.increments.join(' '), event.outputHash ?? '');
    return [keys.length, ...keys, ...args];
  }

  /** KEYS and ARGV of RECORD_NEW_OUTCOMES_LUA (every event new), after the key count. */
  private newOutcomesArguments(part: SlugBatch): [number, ...(string | number)[]] {
    const keys = this.partKeys(part);
    const totals = sumAccepted(part, () => true);
    const args: (string | number)[] = [OUTCOME_ID_TTL_SECONDS, part.cells.length, ...part.cells.map((cell) => cell.version), totals.counters.size];
    for (const [slot, total] of totals.counters) args.push(part.slots[slot].cell, part.slots[slot].field, part.slots[slot].float ? 'f' : 'i', total);
    part.cells.forEach((_, cell) => {
      const hashes = totals.outputs.get(cell) ?? [];
      args.push(hashes.length, ...hashes);
    });
    return [keys.length, ...keys, ...args];
  }

  private partKeys(part: SlugBatch): string[] {
    const k = experimentKeys(this.keys, part.slug);
    const keys = [k.versions];
    for (const cell of part.cells) keys.push(k.hour(cell.version, cell.hour), k.outputs(cell.version, cell.hour));
    for (const event of part.events) keys.push(k.event(event.id));
    return keys;
  }
}

function throwFirstError(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis pipeline was discarded');
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}
