import { sharesFromAllocation } from '../../flags/domain/rollout-validation';
import type { PromptStatus } from '../../registry/domain/prompt-version';
import type { RolloutSpec } from '../../rollout/domain/rollout';
import type { GatePolicy } from './gate-policy';

export type GateName = 'lint' | 'eval' | 'approval';

/** An eval run's result attached to a version. */
export interface EvalResult {
  suiteHash: string;
  score: number;
  passed: boolean;
  runUrl?: string;
  recordedAt: string;
  recordedBy: string;
  auditId: string;
}

export interface Approval {
  approver: string;
  comment: string;
  at: string;
  auditId: string;
}

/** What the gates look at for one version. */
export interface GateEvidence {
  author: string;
  /** The eval-suite hash the version declared when it was created, if any. */
  declaredSuiteHash?: string;
  lintErrors: string[];
  /** Oldest first; the newest one counts. */
  evals: EvalResult[];
  approvals: Approval[];
}

export interface GateCheck {
  gate: GateName;
  required: boolean;
  met: boolean;
  detail: string;
}

/** Every gate's state for a version under `policy`; a gate that is not required counts as met. */
export function checkGates(evidence: GateEvidence, policy: GatePolicy): GateCheck[] {
  return [lintGate(evidence), evalGate(evidence, policy), approvalGate(evidence, policy)];
}

export function unmetGates(checks: readonly GateCheck[]): GateCheck[] {
  return checks.filter((check) => check.required && !check.met);
}

function lintGate({ lintErrors }: GateEvidence): GateCheck {
  if (lintErrors.length === 0) return { gate: 'lint', required: true, met: true, detail: 'template lints clean' };
  return { gate: 'lint', required: true, met: false, detail: `template fails lint: ${lintErrors.join('; ')}` };
}

function evalGate(evidence: GateEvidence, policy: GatePolicy): GateCheck {
  const latest = evidence.evals.at(-1);
  const fail = (detail: string): GateCheck => ({ gate: 'eval', required: true, met: false, detail });
  if (!latest) return fail('no eval result attached (POST …/versions/{version}/evals)');
  if (evidence.declaredSuiteHash !== undefined && latest.suiteHash !== evidence.declaredSuiteHash) {
    return fail(`the latest eval ran suite ${latest.suiteHash}, but the version declares suite ${evidence.declaredSuiteHash}`);
  }
  if (!latest.passed) return fail(`the latest eval (score ${latest.score}) did not pass`);
  if (policy.evalThreshold !== null && latest.score < policy.evalThreshold) {
    return fail(`the latest eval scored ${latest.score}, below the slug's threshold ${policy.evalThreshold}`);
  }
  const threshold = policy.evalThreshold === null ? '' : ` (threshold ${policy.evalThreshold})`;
  return { gate: 'eval', required: true, met: true, detail: `eval passed with score ${latest.score}${threshold}` };
}

function approvalGate(evidence: GateEvidence, policy: GatePolicy): GateCheck {
  if (!policy.highStakes) return { gate: 'approval', required: false, met: true, detail: 'not required: the slug is not high-stakes' };
  const other = evidence.approvals.find((approval) => approval.approver !== evidence.author);
  if (other) return { gate: 'approval', required: true, met: true, detail: `approved by ${other.approver}` };
  return { gate: 'approval', required: true, met: false, detail: `high-stakes slug: needs an approval by someone other than the author (${evidence.author})` };
}

/**
 * The versions a rollout gives more than `canaryPercent` of traffic, and why. A version pinned by a rule counts as
 * over the canary share: a rule can pin any share of users (a whole tenant), so only gated versions may be pinned.
 * The prod baseline is not listed: it met the gates when it was promoted.
 */
export function versionsBeyondCanary(spec: RolloutSpec, statuses: Readonly<Record<number, PromptStatus>>, canaryPercent: number): Map<number, string> {
  const beyond = new Map<number, string>();
  for (const { version, share } of sharesFromAllocation(spec.allocation)) {
    const percent = 100 * share;
    if (statuses[version] !== 'prod' && percent > canaryPercent) beyond.set(version, `${round(percent)}% of traffic (canary limit ${canaryPercent}%)`);
  }
  for (const rule of spec.rules) {
    if (statuses[rule.version] !== 'prod' && !beyond.has(rule.version)) beyond.set(rule.version, `pinned by rule ${rule.name ?? JSON.stringify(rule.match)}`);
  }
  return beyond;
}

function round(percent: number): number {
  return Math.round(percent * 100) / 100;
}
