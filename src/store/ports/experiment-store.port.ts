import type { ExposureRecord, OutcomeRecord, VersionAggregate } from '../../experiments/domain/experiment-records';

export type { ExposureRecord, OutcomeRecord, VersionAggregate };

/** What happened to one outcome event: counted now, or already counted under the same id. */
export type OutcomeWriteStatus = 'accepted' | 'duplicate';

/**
 * How long an outcome id is remembered: longer than the oldest accepted event (30 days), so a retry of an event that
 * carries its `ts` is either counted once or refused as too old. The window is bounded on purpose: every remembered
 * id costs store memory (about 160 bytes on Redis), so memory follows the event rate over 35 days, not all time.
 */
export const OUTCOME_ID_TTL_SECONDS = 35 * 24 * 3600;

/** The longest window readAggregates accepts, in hours (93 days). */
export const MAX_READ_HOURS = 24 * 93;

/**
 * Experiment aggregates per (slug, version, hour): counters that merge by addition across hours and replicas, and
 * distinct-count sketches that merge by union. No raw events are kept, so reading costs the same at ten events or
 * ten million (it grows with hours × versions only).
 */
export abstract class ExperimentStore {
  /** Adds exposures (not idempotent: the caller sends each once). */
  abstract recordExposures(batch: ExposureRecord[]): Promise<void>;

  /**
   * Adds outcome events, each idempotent by (slug, id) for OUTCOME_ID_TTL_SECONDS: an id seen before changes nothing
   * and is reported `duplicate`; an id repeated within the batch counts at its first occurrence. An event's check and
   * its increments are atomic. One status per event, in order. A batch is written in bulk (Redis: one script call per
   * slug and 1,000 events; embedded: one transaction), so callers should send events in batches, not one by one.
   */
  abstract recordOutcomes(batch: OutcomeRecord[]): Promise<OutcomeWriteStatus[]>;

  /**
   * Every version of the slug with data in hours [fromHour, toHour] (inclusive), merged over those hours; by version.
   * @throws RangeError for more than MAX_READ_HOURS hours.
   */
  abstract readAggregates(slug: string, fromHour: number, toHour: number): Promise<VersionAggregate[]>;
}
