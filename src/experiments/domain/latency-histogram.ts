/**
 * Fixed logarithmic latency buckets, mergeable by adding counts. Bucket 0 holds [0, 0.1 ms); bucket k ≥ 1 holds
 * [0.1·γ^(k−1), 0.1·γ^k) ms with γ = 1.1, up to 10 minutes; the last bucket also takes everything above.
 * A bucket is reported as its geometric midpoint, so any percentile inside the range is within √γ − 1 ≈ 4.9 % of the
 * true order statistic.
 */
export const LATENCY_MIN_MS = 0.1;
export const LATENCY_MAX_MS = 600_000;
export const LATENCY_GAMMA = 1.1;
const LOG_GAMMA = Math.log(LATENCY_GAMMA);
/** Buckets 0..LATENCY_BUCKETS-1. */
export const LATENCY_BUCKETS = 2 + Math.ceil(Math.log(LATENCY_MAX_MS / LATENCY_MIN_MS) / LOG_GAMMA);
/** Worst relative error of a reported percentile inside [LATENCY_MIN_MS, LATENCY_MAX_MS]. */
export const LATENCY_RELATIVE_ERROR = Math.sqrt(LATENCY_GAMMA) - 1;

/** Bucket counts by index; absent buckets are 0. */
export type LatencyBuckets = Record<number, number>;

export function latencyBucket(ms: number): number {
  if (!(ms >= LATENCY_MIN_MS)) return 0;
  const k = 1 + Math.floor(Math.log(ms / LATENCY_MIN_MS) / LOG_GAMMA);
  return Math.min(LATENCY_BUCKETS - 1, k);
}

/** [lower, upper) bounds of a bucket in ms. */
export function latencyBucketBounds(index: number): [number, number] {
  if (index <= 0) return [0, LATENCY_MIN_MS];
  return [LATENCY_MIN_MS * LATENCY_GAMMA ** (index - 1), LATENCY_MIN_MS * LATENCY_GAMMA ** index];
}

/** The value a bucket stands for: its geometric midpoint (bucket 0: the 0.1 ms bound). */
export function latencyBucketValue(index: number): number {
  if (index <= 0) return LATENCY_MIN_MS;
  const [lo, hi] = latencyBucketBounds(index);
  return Math.sqrt(lo * hi);
}

export function mergeLatencyBuckets(target: LatencyBuckets, source: LatencyBuckets): LatencyBuckets {
  for (const [index, count] of Object.entries(source)) target[Number(index)] = (target[Number(index)] ?? 0) + count;
  return target;
}

/**
 * The q-quantile (0 < q ≤ 1) by nearest rank (the ⌈q·n⌉-th smallest value), reported as its bucket's value.
 * null when there are no values.
 */
export function latencyPercentile(buckets: LatencyBuckets, q: number): number | null {
  const indexes = Object.keys(buckets).map(Number).filter((i) => buckets[i] > 0).sort((a, b) => a - b);
  const total = indexes.reduce((s, i) => s + buckets[i], 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const index of indexes) {
    seen += buckets[index];
    if (seen >= rank) return latencyBucketValue(index);
  }
  return latencyBucketValue(indexes[indexes.length - 1]);
}
