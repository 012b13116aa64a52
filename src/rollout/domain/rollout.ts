/** One version's share of traffic. Weights are relative integers (flagd `fractional` weights). */
export interface Allocation {
  version: number;
  weight: number;
}

/**
 * Pins a segment to a version before any split: every attribute named in `match` must equal one of its values
 * (e.g. `{ tenant: ['acme'], locale: ['de-DE'] }`).
 */
export interface TargetingRule {
  name?: string;
  match: Record<string, string[]>;
  version: number;
}

/** A Statsig experiment whose config value holds the allocation (`{"allocation": [{version, weight}…]}`). */
export interface StatsigAllocationRef {
  experiment: string;
  /** The config field holding the allocation; `allocation` when absent. */
  parameter?: string;
}

/** What an experimenter sets. The baseline is not part of it: it is always the slug's prod version. */
export interface RolloutSpec {
  allocation: Allocation[];
  rules: TargetingRule[];
  /** Context attribute to bucket on; the OpenFeature targeting key when absent. */
  bucketBy?: string;
  /**
   * A staging version resolved alongside the served one and returned marked as the shadow, so a caller can run it
   * too and log its output without serving it. Never the baseline; dropped while it no longer serves.
   */
  shadow?: number;
  /**
   * Take the weights from a Statsig experiment instead: the service reads them when the rollout is set and again
   * whenever the experiment changes. Users are still bucketed by flagd `fractional`, so they stay sticky.
   */
  statsigAllocation?: StatsigAllocationRef;
}

export interface StoredRollout extends RolloutSpec {
  slug: string;
  updatedAt: string;
  updatedBy: string;
}

export const EMPTY_ROLLOUT: RolloutSpec = { allocation: [], rules: [] };

/** Same versions with the same weights in the same order (order matters to flagd `fractional` buckets). */
export function sameAllocation(a: readonly Allocation[], b: readonly Allocation[]): boolean {
  return a.length === b.length && a.every((entry, i) => entry.version === b[i].version && entry.weight === b[i].weight);
}
