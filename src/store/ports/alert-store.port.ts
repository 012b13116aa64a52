import type { AlertRuleOverrides } from '../../experiments/alerts/domain/alert-rules';

export type { AlertRuleOverrides };

/**
 * Per-slug alert rules (overrides of the defaults) and the delivery records that keep a webhook from getting the
 * same alert twice, across monitor runs and replicas.
 */
export abstract class AlertStore {
  /** The slug's stored overrides, or null when it uses the defaults. */
  abstract getRules(slug: string): Promise<AlertRuleOverrides | null>;

  /** Replaces the slug's overrides (an empty object means the defaults). */
  abstract putRules(slug: string, rules: AlertRuleOverrides): Promise<void>;

  /**
   * Claims the delivery of `key` for `ttlSeconds`: true for exactly one caller across replicas (SET NX / INSERT OR
   * IGNORE), false while the claim stands.
   */
  abstract claimDelivery(slug: string, key: string, ttlSeconds: number): Promise<boolean>;

  /** Gives a claim up (its delivery failed for good), so a later run may try again. */
  abstract releaseDelivery(slug: string, key: string): Promise<void>;
}
