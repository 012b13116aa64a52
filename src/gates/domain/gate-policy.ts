/** A slug's promotion policy: what a version must show before it reaches prod or more than a canary share. */
export interface GatePolicy {
  /** Minimum eval score; null means the eval run's own `passed` verdict decides alone. */
  evalThreshold: number | null;
  /** High-stakes slugs also need an approval by someone other than the version's author. */
  highStakes: boolean;
  /** Largest share of traffic, in percent, a version that has not met the gates may get through the allocation. */
  canaryPercent: number;
}

export interface StoredGatePolicy extends GatePolicy {
  updatedAt: string;
  updatedBy: string;
}

export const DEFAULT_GATE_POLICY: GatePolicy = Object.freeze({ evalThreshold: null, highStakes: false, canaryPercent: 5 });

export interface PolicyProblem {
  field: string;
  message: string;
}

/** Checks a policy's values beyond their types (the DTO checks those). */
export function validateGatePolicy(policy: GatePolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (policy.evalThreshold !== null && !Number.isFinite(policy.evalThreshold)) problems.push({ field: 'evalThreshold', message: 'must be a finite number or null' });
  if (!Number.isFinite(policy.canaryPercent) || policy.canaryPercent < 0 || policy.canaryPercent > 100) {
    problems.push({ field: 'canaryPercent', message: 'must be between 0 and 100' });
  }
  return problems;
}

/** An audit reason, with the reason the promotion gates did not apply when they were waived. */
export function reasonWithGateWaiver(reason: string, gateWaiver: string | undefined): string {
  return gateWaiver === undefined ? reason : `${reason} (promotion gates waived: ${gateWaiver})`;
}
