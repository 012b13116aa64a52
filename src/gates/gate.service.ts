import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/domain/principal';
import { ConflictError, UnprocessableError } from '../common/domain/domain-error';
import type { PromptStatus, PromptVersion } from '../registry/domain/prompt-version';
import { VersionNotFoundError } from '../registry/domain/registry.errors';
import { lintTemplate } from '../registry/domain/template-lint';
import type { RolloutSpec } from '../rollout/domain/rollout';
import { GateStore } from '../store/ports/gate-store.port';
import { type PromptState, PromptStore } from '../store/ports/prompt-store.port';
import { DEFAULT_GATE_POLICY, type GatePolicy, type StoredGatePolicy, validateGatePolicy } from './domain/gate-policy';
import { type Approval, checkGates, type EvalResult, type GateCheck, unmetGates, versionsBeyondCanary } from './domain/promotion-gates';

export interface EvalInput {
  suiteHash: string;
  score: number;
  passed: boolean;
  runUrl?: string;
}

export interface GateStatusView {
  slug: string;
  version: number;
  status: PromptStatus;
  /** Whether every required gate is met: the version may go to prod and beyond the canary share. */
  cleared: boolean;
  gates: GateCheck[];
  policy: GatePolicy;
  evals: EvalResult[];
  approvals: Approval[];
}

export interface GatePolicyView extends GatePolicy {
  slug: string;
  /** false while the slug runs on the defaults. */
  custom: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** A promotion or rollout that needs gates the version has not met; nothing was written. */
export class GatesUnmetError extends ConflictError {}

/**
 * The promotion pipeline: lint, eval evidence and (for high-stakes slugs) a second person's approval stand between a
 * version and prod, and between it and more than the slug's canary share of traffic. The kill switch and rollbacks
 * (re-promoting a version that was prod before) never pass through here.
 */
@Injectable()
export class GateService {
  constructor(
    private readonly gates: GateStore,
    private readonly prompts: PromptStore,
  ) {}

  async recordEval(slug: string, version: number, input: EvalInput, actor: Principal): Promise<GateStatusView> {
    await this.requireVersion(slug, version);
    const entry = await this.prompts.appendAudit(slug, {
      at: new Date().toISOString(),
      actor: actor.name,
      action: 'version.eval_recorded',
      slug,
      version,
      after: { ...input },
      reason: `eval suite ${input.suiteHash}: score ${input.score}, ${input.passed ? 'passed' : 'failed'}`,
    });
    const result: EvalResult = { ...input, recordedAt: entry.at, recordedBy: actor.name, auditId: entry.id };
    await this.gates.addEval(slug, version, result);
    return this.status(slug, version);
  }

  /** Approves a version; a repeat by the same approver changes nothing. @throws ConflictError for the version's own author. */
  async approve(slug: string, version: number, comment: string, actor: Principal): Promise<{ created: boolean; view: GateStatusView }> {
    const found = await this.requireVersion(slug, version);
    const at = new Date().toISOString();
    if (found.author === actor.name) {
      await this.prompts.appendAudit(slug, { at, actor: actor.name, action: 'version.approval_refused', slug, version, reason: `the author cannot approve their own version: ${comment}` });
      throw new ConflictError(`${actor.name} wrote version ${version} of "${slug}" and cannot approve it: ask someone else`, { slug, version, author: found.author });
    }
    const existing = (await this.gates.evidence(slug, version)).approvals.some((a) => a.approver === actor.name);
    if (!existing) {
      const entry = await this.prompts.appendAudit(slug, { at, actor: actor.name, action: 'version.approved', slug, version, after: { comment }, reason: comment });
      await this.gates.addApproval(slug, version, { approver: actor.name, comment, at: entry.at, auditId: entry.id });
    }
    return { created: !existing, view: await this.status(slug, version) };
  }

  async status(slug: string, version: number): Promise<GateStatusView> {
    return this.statusUnder(await this.policy(slug), slug, version);
  }

  private async statusUnder(policy: GatePolicy, slug: string, version: number): Promise<GateStatusView> {
    const [found, evidence] = await Promise.all([this.requireVersion(slug, version), this.gates.evidence(slug, version)]);
    const gates = checkGates(
      {
        author: found.author,
        ...(found.evalHash !== undefined ? { declaredSuiteHash: found.evalHash } : {}),
        lintErrors: lintTemplate(found.template, found.variables).errors.map((issue) => issue.message),
        ...evidence,
      },
      policy,
    );
    return { slug, version, status: found.status, cleared: unmetGates(gates).length === 0, gates, policy, ...evidence };
  }

  async getPolicy(slug: string): Promise<GatePolicyView> {
    return policyView(slug, await this.gates.getPolicy(slug));
  }

  async putPolicy(slug: string, policy: GatePolicy, reason: string, actor: Principal): Promise<GatePolicyView> {
    const problems = validateGatePolicy(policy);
    if (problems.length > 0) throw new UnprocessableError(`policy is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { problems });
    const before = await this.gates.getPolicy(slug);
    const entry = await this.prompts.appendAudit(slug, {
      at: new Date().toISOString(),
      actor: actor.name,
      action: 'gates.policy_changed',
      slug,
      before: { ...gatePolicyOf(before ?? DEFAULT_GATE_POLICY) },
      after: { ...policy },
      reason,
    });
    const stored: StoredGatePolicy = { ...gatePolicyOf(policy), updatedAt: entry.at, updatedBy: actor.name };
    await this.gates.putPolicy(slug, stored);
    return policyView(slug, stored);
  }

  /**
   * @throws GatesUnmetError when `version` would go from staging to prod without meeting every gate. Re-promoting a
   * deprecated version (a rollback) is not gated: it met them when it first went to prod.
   */
  async assertMayGoToProd(slug: string, version: number, from: PromptStatus): Promise<void> {
    if (from !== 'staging') return;
    const unmet = unmetGates((await this.status(slug, version)).gates);
    if (unmet.length > 0) throw gatesUnmet(slug, [{ version, why: 'go to prod', unmet }]);
  }

  /** @throws GatesUnmetError when the rollout gives a version that has not met the gates more than the canary share. */
  async assertRolloutAllowed(slug: string, state: PromptState, spec: RolloutSpec): Promise<void> {
    const policy = await this.policy(slug);
    const beyond = versionsBeyondCanary(spec, state.statuses, policy.canaryPercent);
    const refusals = [];
    for (const [version, why] of beyond) {
      const unmet = unmetGates((await this.statusUnder(policy, slug, version)).gates);
      if (unmet.length > 0) refusals.push({ version, why: `get ${why}`, unmet });
    }
    if (refusals.length > 0) throw gatesUnmet(slug, refusals);
  }

  private async policy(slug: string): Promise<GatePolicy> {
    return gatePolicyOf((await this.gates.getPolicy(slug)) ?? DEFAULT_GATE_POLICY);
  }

  private async requireVersion(slug: string, version: number): Promise<PromptVersion> {
    const found = await this.prompts.getVersion(slug, version);
    if (!found) throw new VersionNotFoundError(version, slug);
    return found;
  }
}

interface Refusal {
  version: number;
  why: string;
  unmet: GateCheck[];
}

function gatesUnmet(slug: string, refusals: Refusal[]): GatesUnmetError {
  const lines = refusals.map((r) => `version ${r.version} cannot ${r.why}: unmet gate${r.unmet.length > 1 ? 's' : ''} ${r.unmet.map((g) => `${g.gate} (${g.detail})`).join(', ')}`);
  return new GatesUnmetError(`"${slug}": ${lines.join('; ')}`, {
    slug,
    unmetGates: refusals.map((r) => ({ version: r.version, gates: r.unmet.map(({ gate, detail }) => ({ gate, detail })) })),
  });
}

function gatePolicyOf(policy: GatePolicy): GatePolicy {
  return { evalThreshold: policy.evalThreshold, highStakes: policy.highStakes, canaryPercent: policy.canaryPercent };
}

function policyView(slug: string, stored: StoredGatePolicy | null): GatePolicyView {
  return { slug, ...gatePolicyOf(stored ?? DEFAULT_GATE_POLICY), custom: stored !== null, updatedAt: stored?.updatedAt ?? null, updatedBy: stored?.updatedBy ?? null };
}
