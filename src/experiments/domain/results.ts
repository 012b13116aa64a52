import type { VersionAggregate } from './experiment-records';
import { latencyPercentile } from './latency-histogram';
import { differenceOfProportions, type Interval, wilsonInterval } from './proportion-stats';
import { sampleRatioMismatch, type SrmResult } from './srm';

/** Labelled outcome events each arm needs before a difference gets a verdict. */
export const MIN_SAMPLE_PER_ARM = 100;
export const CONFIDENCE = 0.95;
const ALPHA = 1 - CONFIDENCE;

/**
 * higher / lower: the 95 % interval of the difference excludes 0 (and p < 0.05); inconclusive: it does not;
 * insufficient-sample: an arm has fewer than MIN_SAMPLE_PER_ARM labelled outcomes, so no claim is made.
 */
export type Verdict = 'higher' | 'lower' | 'inconclusive' | 'insufficient-sample';

export interface OutcomeResult {
  count: number;
  rate: number | null;
  ci: Interval | null;
  /** Against the baseline's rate of the same label; absent on the baseline and when the baseline has no labelled outcomes. */
  diff?: { value: number; ci: Interval; pValue: number; verdict: Verdict };
}

export interface VersionResult {
  version: number;
  exposures: number;
  users: number;
  calls: number;
  /** Outcome events with an `outcome` label: the denominator of every rate. */
  labelled: number;
  /** false while this arm has fewer than MIN_SAMPLE_PER_ARM labelled outcomes. */
  sufficientSample: boolean;
  outcomes: Record<string, OutcomeResult>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  tokensPerCall: number | null;
  /** Share of events with a finish reason whose reason is `length` (truncated output). */
  lengthShare: number | null;
  /** Distinct output hashes per event carrying one (1 = every output different). */
  diversity: number | null;
  score: { n: number; mean: number | null };
}

export interface Analysis {
  method: 'fixed-horizon';
  alpha: number;
  interval: string;
  test: string;
  minimumSamplePerArm: number;
  /**
   * true while the window is still open: these are interim looks at a fixed-horizon test, whose p-values and
   * intervals are only valid when read once at a sample size fixed in advance. Acting on whichever look first shows
   * p < 0.05 inflates the false-positive rate well above 5 %.
   */
  peeking: boolean;
  note: string;
}

export interface ExperimentResults {
  slug: string;
  from: string;
  to: string;
  baseline: number | null;
  analysis: Analysis;
  versions: VersionResult[];
  srm: SrmResult & { expectedShares: Record<number, number> };
}

export interface ResultsInput {
  slug: string;
  from: Date;
  to: Date;
  now: Date;
  baseline: number | null;
  aggregates: VersionAggregate[];
  /** Configured split (version → share) from the rollout's allocation. */
  allocation: { version: number; share: number }[];
}

/** Assembles the results of a slug's experiment from per-version aggregates. Pure: same input, same answer. */
export function buildResults(input: ResultsInput): ExperimentResults {
  const aggregates = [...input.aggregates].sort((a, b) => a.version - b.version);
  const base = aggregates.find((a) => a.version === input.baseline);
  const labels = [...new Set(aggregates.flatMap((a) => Object.keys(a.outcomes)))].sort();
  const versions = aggregates.map((aggregate) => versionResult(aggregate, labels, aggregate === base ? undefined : base));

  const exposed = new Map(aggregates.filter((a) => a.exposures > 0).map((a) => [a.version, a.exposures]));
  const arms = input.allocation.filter((a) => exposed.has(a.version) && a.share > 0);
  const shareSum = arms.reduce((s, a) => s + a.share, 0);
  const expectedShares = Object.fromEntries(arms.map((a) => [a.version, a.share / shareSum]));
  const srm = sampleRatioMismatch(arms.map((a) => ({ version: a.version, observed: exposed.get(a.version) ?? 0, share: a.share })));

  const peeking = input.to.getTime() > input.now.getTime();
  return {
    slug: input.slug,
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    baseline: input.baseline,
    analysis: {
      method: 'fixed-horizon',
      alpha: ALPHA,
      interval: 'Wilson score (rates); Newcombe hybrid score, method 10 (differences)',
      test: 'pooled two-proportion z-test, two-sided',
      minimumSamplePerArm: MIN_SAMPLE_PER_ARM,
      peeking,
      note: peeking
        ? 'Interim look: the window is still open. These fixed-horizon statistics are valid only when read once at a sample size fixed in advance; do not stop the experiment on the first significant look.'
        : 'Closed window. Fixed-horizon statistics: valid if this window and sample size were chosen before looking at the results.',
    },
    versions,
    srm: { ...srm, expectedShares },
  };
}

function versionResult(a: VersionAggregate, labels: string[], base: VersionAggregate | undefined): VersionResult {
  const sufficientSample = a.labelled >= MIN_SAMPLE_PER_ARM;
  const outcomes: Record<string, OutcomeResult> = {};
  for (const label of labels) {
    const count = a.outcomes[label] ?? 0;
    const result: OutcomeResult = {
      count,
      rate: a.labelled > 0 ? count / a.labelled : null,
      ci: a.labelled > 0 ? wilsonInterval(count, a.labelled, CONFIDENCE) : null,
    };
    if (base && base.labelled > 0 && a.labelled > 0) {
      const d = differenceOfProportions(count, a.labelled, base.outcomes[label] ?? 0, base.labelled, CONFIDENCE);
      const enough = sufficientSample && base.labelled >= MIN_SAMPLE_PER_ARM;
      const significant = d.pValue < ALPHA && (d.ci[0] > 0 || d.ci[1] < 0);
      const verdict: Verdict = !enough ? 'insufficient-sample' : !significant ? 'inconclusive' : d.value > 0 ? 'higher' : 'lower';
      result.diff = { value: d.value, ci: d.ci, pValue: d.pValue, verdict };
    }
    outcomes[label] = result;
  }
  return {
    version: a.version,
    exposures: a.exposures,
    users: a.users,
    calls: a.calls,
    labelled: a.labelled,
    sufficientSample,
    outcomes,
    latencyMs: {
      p50: latencyPercentile(a.latency, 0.5),
      p95: latencyPercentile(a.latency, 0.95),
      p99: latencyPercentile(a.latency, 0.99),
    },
    tokensPerCall: a.tokenCalls > 0 ? (a.promptTokens + a.completionTokens) / a.tokenCalls : null,
    lengthShare: a.finishReasonCalls > 0 ? (a.finishReasons.length ?? 0) / a.finishReasonCalls : null,
    diversity: a.outputCalls > 0 ? Math.min(1, a.distinctOutputs / a.outputCalls) : null,
    score: { n: a.scoreCount, mean: a.scoreCount > 0 ? a.scoreSum / a.scoreCount : null },
  };
}
