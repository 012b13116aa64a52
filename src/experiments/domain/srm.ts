import { jStat } from 'jstat';

/** Below this p-value the observed split is flagged as a sample-ratio mismatch (the usual SRM threshold). */
export const SRM_THRESHOLD = 0.001;
/** The χ² approximation needs every expected count to be at least this. */
export const SRM_MIN_EXPECTED = 5;

export interface SrmArm {
  version: number;
  observed: number;
  /** Expected share of traffic; renormalised over the arms given. */
  share: number;
}

export interface SrmResult {
  /** null when the test cannot be run (fewer than 2 arms, no traffic, or an expected count below 5). */
  pValue: number | null;
  mismatch: boolean;
  chiSquare?: number;
  degreesOfFreedom?: number;
  /** Why pValue is null. */
  reason?: string;
}

/**
 * Sample-ratio-mismatch check: Pearson's χ² goodness-of-fit of observed counts against the expected shares,
 * p-value from the χ² distribution with k − 1 degrees of freedom; flagged below 0.001.
 */
export function sampleRatioMismatch(arms: SrmArm[]): SrmResult {
  const used = arms.filter((a) => a.share > 0);
  if (used.length < 2) return { pValue: null, mismatch: false, reason: 'fewer than two versions with an expected share' };
  const total = used.reduce((s, a) => s + a.observed, 0);
  const shareSum = used.reduce((s, a) => s + a.share, 0);
  if (total === 0) return { pValue: null, mismatch: false, reason: 'no exposures' };
  let chiSquare = 0;
  for (const arm of used) {
    const expected = (total * arm.share) / shareSum;
    if (expected < SRM_MIN_EXPECTED) {
      return { pValue: null, mismatch: false, reason: `expected count below ${SRM_MIN_EXPECTED} for version ${arm.version}` };
    }
    chiSquare += (arm.observed - expected) ** 2 / expected;
  }
  const degreesOfFreedom = used.length - 1;
  const pValue = chiSquarePValue(chiSquare, degreesOfFreedom);
  return { pValue, mismatch: pValue < SRM_THRESHOLD, chiSquare, degreesOfFreedom };
}

/** Upper tail of the χ² distribution: P(X ≥ x). */
export function chiSquarePValue(x: number, degreesOfFreedom: number): number {
  return Math.max(0, Math.min(1, 1 - jStat.chisquare.cdf(x, degreesOfFreedom)));
}
