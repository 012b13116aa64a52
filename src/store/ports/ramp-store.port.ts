import type { AlertRuleOverrides } from '../../experiments/alerts/domain/alert-rules';
import type { Breach } from '../../experiments/alerts/domain/alert-rules';

export type RampStatus = 'running' | 'paused' | 'aborted' | 'completed';

/** One thing that happened to a ramp, newest last. */
export interface RampEvent {
  at: string;
  actor: string;
  action: 'started' | 'advanced' | 'paused' | 'resumed' | 'aborted' | 'completed';
  /** The candidate's share after the event, in percent. */
  percent: number | null;
  reason?: string;
}

/** A ramp: moves `candidate`'s share of traffic up through `steps` (percent) against `baseline`. */
export interface RampRecord {
  id: string;
  slug: string;
  candidate: number;
  baseline: number;
  steps: number[];
  /** Index into `steps` of the share applied now. */
  stepIndex: number;
  holdSeconds: number;
  /** Guardrail rule overrides; null means the slug's alert rules. */
  guardrails: AlertRuleOverrides | null;
  status: RampStatus;
  /** When the next step is due (running only). */
  nextStepAt: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  reason: string;
  /** Why it stopped (aborted), e.g. a guardrail breach. */
  stopReason: string | null;
  /** The breaches that made a guardrail abort it. */
  evidence: Breach[] | null;
  history: RampEvent[];
  /** Bumped by every write; starts at 1. */
  revision: number;
}

export const ACTIVE_RAMP_STATUSES: readonly RampStatus[] = ['running', 'paused'];

/**
 * The ramps, one current record per slug (the latest ramp; a new one may replace it once it is no longer active),
 * and the lease that lets exactly one replica advance a slug's ramp at a time.
 */
export abstract class RampStore {
  /** The slug's latest ramp, or null. */
  abstract get(slug: string): Promise<RampRecord | null>;

  /**
   * Writes `record` as the slug's ramp if the stored one's revision is still `expectedRevision` (0: none stored);
   * false when another writer got there first. `record.revision` must be `expectedRevision + 1`.
   */
  abstract put(slug: string, expectedRevision: number, record: RampRecord): Promise<boolean>;

  /** Every slug that ever had a ramp (the runner filters the active ones). */
  abstract slugs(): Promise<string[]>;

  /** Takes the slug's lease for `ttlMs` when it is free or expired: true for exactly one owner at a time. */
  abstract acquireLease(slug: string, owner: string, ttlMs: number): Promise<boolean>;

  /** Gives the lease up if `owner` still holds it. */
  abstract releaseLease(slug: string, owner: string): Promise<void>;
}
