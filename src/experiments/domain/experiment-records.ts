import { type LatencyBuckets, latencyBucket } from './latency-histogram';

/** Milliseconds per aggregation hour. Aggregates are keyed by `hour = floor(epochMs / HOUR_MS)`. */
export const HOUR_MS = 3_600_000;

export function hourOf(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS);
}

/** One evaluation of a prompt flag, as stored: the targeting key only as its SHA-256. */
export interface ExposureRecord {
  slug: string;
  version: number;
  variant: string;
  revision: number;
  /** SHA-256 (hex) of the targeting key. */
  targetingKeyHash: string;
  hour: number;
}

/** One validated outcome event. `id` is the idempotency key, unique per slug. */
export interface OutcomeRecord {
  id: string;
  slug: string;
  version: number;
  hour: number;
  outcome?: string;
  latencyMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  finishReason?: string;
  score?: number;
  outputHash?: string;
}

/**
 * What the store keeps per (slug, version, hour): additive counters, so hours and replicas merge by addition, plus
 * two distinct-count sketches (users, output hashes) that merge by union.
 */
export interface VersionAggregate {
  version: number;
  exposures: number;
  /** Distinct targeting-key hashes among exposures (HyperLogLog estimate on Redis, exact on the embedded store). */
  users: number;
  /** Outcome events. */
  calls: number;
  /** Outcome events carrying an `outcome` label: the denominator of every rate. */
  labelled: number;
  outcomes: Record<string, number>;
  latency: LatencyBuckets;
  latencyCount: number;
  promptTokens: number;
  completionTokens: number;
  /** Outcome events carrying promptTokens or completionTokens. */
  tokenCalls: number;
  finishReasons: Record<string, number>;
  finishReasonCalls: number;
  /** Outcome events carrying an outputHash. */
  outputCalls: number;
  /** Distinct output hashes (HyperLogLog estimate on Redis, exact on the embedded store). */
  distinctOutputs: number;
  scoreCount: number;
  scoreSum: number;
  scoreSumSquares: number;
}

/** Counter increments of one outcome event, by field name; `floats` need float addition. */
export interface FieldIncrements {
  ints: Record<string, number>;
  floats: Record<string, number>;
}

export const EXPOSURES_FIELD = 'exp';

/** The counter fields one outcome event adds to, shared by every adapter so they cannot drift. */
export function outcomeIncrements(record: OutcomeRecord): FieldIncrements {
  const ints: Record<string, number> = { calls: 1 };
  const floats: Record<string, number> = {};
  if (record.outcome !== undefined) {
    ints.lab = 1;
    ints[`o:${record.outcome}`] = 1;
  }
  if (record.latencyMs !== undefined) {
    ints.latN = 1;
    ints[`lat:${latencyBucket(record.latencyMs)}`] = 1;
  }
  if (record.promptTokens !== undefined || record.completionTokens !== undefined) {
    ints.tokN = 1;
    if (record.promptTokens !== undefined) ints.pt = record.promptTokens;
    if (record.completionTokens !== undefined) ints.ct = record.completionTokens;
  }
  if (record.finishReason !== undefined) {
    ints.frN = 1;
    ints[`fr:${record.finishReason}`] = 1;
  }
  if (record.outputHash !== undefined) ints.outN = 1;
  if (record.score !== undefined) {
    ints.scN = 1;
    floats.scSum = record.score;
    floats.scSq = record.score * record.score;
  }
  return { ints, floats };
}

export function emptyAggregate(version: number): VersionAggregate {
  return {
    version,
    exposures: 0,
    users: 0,
    calls: 0,
    labelled: 0,
    outcomes: {},
    latency: {},
    latencyCount: 0,
    promptTokens: 0,
    completionTokens: 0,
    tokenCalls: 0,
    finishReasons: {},
    finishReasonCalls: 0,
    outputCalls: 0,
    distinctOutputs: 0,
    scoreCount: 0,
    scoreSum: 0,
    scoreSumSquares: 0,
  };
}

/** Adds one stored counter field (as written by `outcomeIncrements` or EXPOSURES_FIELD) into `aggregate`. */
export function addField(aggregate: VersionAggregate, field: string, value: number): void {
  const colon = field.indexOf(':');
  if (colon > 0) {
    const kind = field.slice(0, colon);
    const name = field.slice(colon + 1);
    if (kind === 'o') aggregate.outcomes[name] = (aggregate.outcomes[name] ?? 0) + value;
    else if (kind === 'fr') aggregate.finishReasons[name] = (aggregate.finishReasons[name] ?? 0) + value;
    else if (kind === 'lat') aggregate.latency[Number(name)] = (aggregate.latency[Number(name)] ?? 0) + value;
    return;
  }
  switch (field) {
    case EXPOSURES_FIELD: aggregate.exposures += value; break;
    case 'calls': aggregate.calls += value; break;
    case 'lab': aggregate.labelled += value; break;
    case 'latN': aggregate.latencyCount += value; break;
    case 'pt': aggregate.promptTokens += value; break;
    case 'ct': aggregate.completionTokens += value; break;
    case 'tokN': aggregate.tokenCalls += value; break;
    case 'frN': aggregate.finishReasonCalls += value; break;
    case 'outN': aggregate.outputCalls += value; break;
    case 'scN': aggregate.scoreCount += value; break;
    case 'scSum': aggregate.scoreSum += value; break;
    case 'scSq': aggregate.scoreSumSquares += value; break;
    default: break;
  }
}
