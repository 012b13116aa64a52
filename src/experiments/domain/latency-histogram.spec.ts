import {
  LATENCY_BUCKETS,
  LATENCY_MAX_MS,
  LATENCY_MIN_MS,
  LATENCY_RELATIVE_ERROR,
  latencyBucket,
  latencyBucketBounds,
  latencyBucketValue,
  latencyPercentile,
  mergeLatencyBuckets,
  type LatencyBuckets,
} from './latency-histogram';

function histogram(values: number[]): LatencyBuckets {
  const buckets: LatencyBuckets = {};
  for (const v of values) buckets[latencyBucket(v)] = (buckets[latencyBucket(v)] ?? 0) + 1;
  return buckets;
}

/** Nearest-rank percentile (the ⌈q·n⌉-th smallest), the textbook definition. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

describe('latency histogram', () => {
  it('covers 0.1 ms to 10 minutes with at most 5 % relative error', () => {
    expect(LATENCY_RELATIVE_ERROR).toBeLessThanOrEqual(0.05);
    expect(latencyBucketBounds(LATENCY_BUCKETS - 2)[1]).toBeGreaterThanOrEqual(LATENCY_MAX_MS);
    expect(LATENCY_BUCKETS).toBeLessThan(200);
  });

  it('puts every value in the bucket whose bounds contain it', () => {
    for (const v of [0.1, 0.10001, 0.5, 1, 1.1, 7.3, 99.99, 250, 1234.5, 59_999, 599_999]) {
      const [lo, hi] = latencyBucketBounds(latencyBucket(v));
      expect(v).toBeGreaterThanOrEqual(lo * (1 - 1e-12));
      expect(v).toBeLessThan(hi * (1 + 1e-12));
      expect(Math.abs(latencyBucketValue(latencyBucket(v)) - v) / v).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR + 1e-12);
    }
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(LATENCY_MIN_MS / 2)).toBe(0);
    expect(latencyBucket(3_600_000)).toBe(LATENCY_BUCKETS - 1);
  });

  it('reports nearest-rank percentiles within the bucket error', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const values = Array.from({ length: 5000 }, () => Math.exp(Math.log(200) + 0.8 * (random() + random() + random() - 1.5)));
    const buckets = histogram(values);
    for (const q of [0.5, 0.95, 0.99]) {
      const truth = nearestRank(values, q);
      expect(Math.abs(latencyPercentile(buckets, q)! - truth) / truth).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR);
    }
  });

  it('merges by adding counts, the same as one histogram of all values', () => {
    const a = [1, 2, 3, 400];
    const b = [5, 6000, 7];
    expect(mergeLatencyBuckets(histogram(a), histogram(b))).toEqual(histogram([...a, ...b]));
  });

  it('has no percentile without values', () => {
    expect(latencyPercentile({}, 0.5)).toBeNull();
  });
});
