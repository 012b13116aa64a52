import { jStat } from 'jstat';

/** A closed interval `[lo, hi]`. */
export type Interval = [number, number];

/** Two-sided critical value of the standard normal for `confidence` (1.959964 for 0.95). */
export function zCritical(confidence = 0.95): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);
}

/**
 * Wilson score interval for `successes` out of `n` (Wilson 1927; Newcombe 1998, "Two-sided confidence intervals for
 * the single proportion", method 3). Stays inside [0, 1] and behaves at 0 and n, unlike the Wald interval.
 * `[0, 1]` when n is 0 (nothing is known).
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  checkCounts(successes, n);
  if (n === 0) return [0, 1];
  const z = zCritical(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

export interface ProportionDifference {
  /** p1 − p2. */
  value: number;
  /** Newcombe hybrid score interval for p1 − p2. */
  ci: Interval;
  /** Two-sided p-value of the pooled two-proportion z-test of p1 = p2 (1 when it is undefined). */
  pValue: number;
  z: number;
}

/**
 * Difference of two independent proportions x1/n1 − x2/n2.
 * Interval: Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation for the difference between
 * independent proportions: comparison of eleven methods", method 10), built from the two Wilson intervals; good
 * coverage at small n and near 0 or 1, where the Wald interval fails.
 * p-value: the pooled two-proportion z-test (equal to Pearson's χ² test of the 2×2 table without continuity correction).
 */
export function differenceOfProportions(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): ProportionDifference {
  checkCounts(x1, n1);
  checkCounts(x2, n2);
  if (n1 === 0 || n2 === 0) return { value: NaN, ci: [-1, 1], pValue: 1, z: 0 };
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [l1, u1] = wilsonInterval(x1, n1, confidence);
  const [l2, u2] = wilsonInterval(x2, n2, confidence);
  const value = p1 - p2;
  const lo = value - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2);
  const hi = value + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2);
  const { z, pValue } = pooledZTest(x1, n1, x2, n2);
  return { value, ci: [Math.max(-1, lo), Math.min(1, hi)], pValue, z };
}

/** Pooled two-proportion z-test; two-sided p-value from the standard normal. p = 1 when both rates are 0 or 1. */
export function pooledZTest(x1: number, n1: number, x2: number, n2: number): { z: number; pValue: number } {
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { z: 0, pValue: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, pValue: Math.min(1, 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1))) };
}

function checkCounts(successes: number, n: number): void {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || successes < 0 || n < 0 || successes > n) {
    throw new RangeError(`invalid counts: ${successes} out of ${n}`);
  }
}
