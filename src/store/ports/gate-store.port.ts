import type { StoredGatePolicy } from '../../gates/domain/gate-policy';
import type { Approval, EvalResult } from '../../gates/domain/promotion-gates';

/** A version's gate evidence as stored: evals oldest first, one approval per approver (oldest first). */
export interface VersionEvidence {
  evals: EvalResult[];
  approvals: Approval[];
}

/**
 * Promotion-gate evidence and policies. Evidence is append-only: evals are never replaced (the newest counts), an
 * approval is never withdrawn. The audit entry for each write is appended by the caller before it, so nothing
 * stored here is unaudited.
 */
export abstract class GateStore {
  abstract addEval(slug: string, version: number, result: EvalResult): Promise<void>;

  /** Records `approval` unless its approver already approved this version; false then (the first one stays). */
  abstract addApproval(slug: string, version: number, approval: Approval): Promise<boolean>;

  abstract evidence(slug: string, version: number): Promise<VersionEvidence>;

  /** null when the slug has never had a policy set (the defaults apply). */
  abstract getPolicy(slug: string): Promise<StoredGatePolicy | null>;

  abstract putPolicy(slug: string, policy: StoredGatePolicy): Promise<void>;
}
