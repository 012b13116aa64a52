import type { AuditDraft, AuditEntry } from '../../audit/domain/audit-entry';
import type { PromptStatus, PromptSummary, PromptVersion } from '../../registry/domain/prompt-version';
import type { StatusChange } from '../../registry/domain/status-transitions';
import type { RolloutSpec, StoredRollout } from '../../rollout/domain/rollout';

export type { StatusChange };

/** A version as the store receives it: everything but the number, which the store allocates. */
export type NewPromptVersion = Omit<PromptVersion, 'version' | 'status'>;

export interface CreateVersionResult {
  version: PromptVersion;
  /** false when an earlier request with the same idempotency key created it. */
  created: boolean;
}

export interface Page {
  offset: number;
  limit: number;
}

/** The slug's kill switch while it is on: everyone is served `toVersion`, the stored rollout is kept aside untouched. */
export interface KillState {
  toVersion: number;
  reason: string;
  at: string;
  actor: string;
  /** Id of the audit entry that set this kill (filled in by the store). */
  auditId: string;
}

export interface PromptState {
  /** Bumped by every change to what the slug's flag serves (status changes, rollout edits, kill/restore). Starts at 0. */
  revision: number;
  latestVersion: number;
  statuses: Record<number, PromptStatus>;
  rollout: StoredRollout | null;
  kill: KillState | null;
}

/**
 * The registry's persistence port. Every write is atomic per slug: the change and its audit entry land together
 * or not at all, and concurrent writers never see a gap or a duplicate version number.
 */
export abstract class PromptStore {
  /**
   * Allocates the slug's next version number (1, 2, 3… with no gaps), writes the immutable body with status
   * `draft`, and appends the audit entry built by `audit` for it, in one atomic step.
   * With an `idempotencyKey` already used on this slug, writes nothing and returns the first result.
   */
  abstract createVersion(
    input: NewPromptVersion,
    audit: (created: PromptVersion) => AuditDraft,
    idempotencyKey?: string,
  ): Promise<CreateVersionResult>;

  abstract getVersion(slug: string, version: number): Promise<PromptVersion | null>;

  /** Newest first. */
  abstract listVersions(slug: string, page: Page): Promise<{ items: PromptVersion[]; total: number }>;

  /** Every slug with at least one version, sorted by slug. */
  abstract listPrompts(): Promise<PromptSummary[]>;

  abstract getState(slug: string): Promise<PromptState>;

  /**
   * Applies every change and appends the audit entries atomically, only if the slug's revision is still
   * `expectedRevision` and each version's status is still its `from`; bumps the revision.
   * @throws StaleWriteError when another writer got there first (nothing is written).
   */
  abstract changeStatuses(
    slug: string,
    expectedRevision: number,
    changes: StatusChange[],
    audit: AuditDraft[],
  ): Promise<PromptState>;

  /**
   * Replaces the slug's rollout if its revision is still `expectedRevision`; bumps the revision.
   * @throws StaleWriteError when the revision moved on (nothing is written).
   */
  abstract putRollout(
    slug: string,
    expectedRevision: number,
    rollout: RolloutSpec & { updatedAt: string; updatedBy: string },
    audit: AuditDraft,
  ): Promise<PromptState>;

  /**
   * Turns the slug's kill switch on (or re-points it) if its revision is still `expectedRevision`, with its audit
   * entry in the same atomic step; the stored kill's `auditId` is that entry's id. Bumps the revision; never touches
   * the rollout or the statuses.
   * @throws StaleWriteError when the revision moved on (nothing is written).
   */
  abstract setKill(slug: string, expectedRevision: number, kill: Omit<KillState, 'auditId'>, audit: AuditDraft): Promise<PromptState>;

  /**
   * Turns the slug's kill switch off if its revision is still `expectedRevision`, atomically with its audit entry;
   * bumps the revision, so the stored rollout serves again exactly as it was.
   * @throws StaleWriteError when the revision moved on (nothing is written).
   */
  abstract clearKill(slug: string, expectedRevision: number, audit: AuditDraft): Promise<PromptState>;

  /**
   * Appends an entry to the slug's audit chain without changing its state or revision (refused attempts).
   */
  abstract appendAudit(slug: string, audit: AuditDraft): Promise<AuditEntry>;
}

/** Reads the audit trail and appends entries that belong to no slug (keys, incident-wide actions). */
export abstract class AuditLog {
  /** Appends to the `_system` chain atomically. */
  abstract appendSystem(draft: AuditDraft): Promise<AuditEntry>;

  /** Newest first; `slug` limits to that slug's chain, otherwise every chain merged by time. */
  abstract list(query: { slug?: string; limit: number; beforeAt?: string }): Promise<AuditEntry[]>;

  /** One chain, oldest first, for verification. `chain` is a slug or `_system`. */
  abstract readChain(chain: string): Promise<AuditEntry[]>;
}
