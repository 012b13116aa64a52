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

/** Receives one counter increment of an outcome event; `float` counters need float addition. */
export type IncrementVisitor = (field: string, value: number, float: boolean) => void;

export const EXPOSURES_FIELD = 'exp';

/**
 * Visits the counter fields one outcome event adds to, shared by every adapter so they cannot drift. A visitor rather
 * than a returned object: ingestion calls it for every event, and this allocates nothing.
 */
export function visitOutcomeIncrements(record: OutcomeRecord, visit: IncrementVisitor): void {
  visit('calls', 1, false);
  if (record.outcome !== undefined) {
    visit('lab', 1, false);
    visit(`o:${record.outcome}`, 1, false);
  }
  if (record.latencyMs !== undefined) {
    visit('latN', 1, false);
    visit(`lat:${latencyBucket(record.latencyMs)}`, 1, false);
  }
  if (record.promptTokens !== undefined || record.completionTokens !== undefined) {
    visit('tokN', 1, false);
    if (record.promptTokens !== undefined) visit('pt', record.promptTokens, false);
    if (record.completionTokens !== undefined) visit('ct', record.completionTokens, false);
  }
  if (record.finishReason !== undefined) {
    visit('frN', 1, false);
    visit(`fr:${record.finishReason}`, 1, false);
  }
  if (record.outputHash !== undefined) visit('outN', 1, false);
  if (record.score !== undefined) {
    visit('scN', 1, false);
    visit('scSum', record.score, true);
    visit('scSq', record.score * record.score, true);
  }
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
