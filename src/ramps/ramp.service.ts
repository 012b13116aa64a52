import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/domain/principal';
import { ConflictError, NotFoundError, UnprocessableError } from '../common/domain/domain-error';
import { type Breach, effectiveRules, validateRuleOverrides } from '../experiments/alerts/domain/alert-rules';
import { GuardrailChecker } from '../experiments/alerts/guardrail-checker.service';
import { GateService, GatesUnmetError } from '../gates/gate.service';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { PromptRegistryService } from '../registry/prompt-registry.service';
import { RolloutService } from '../rollout/rollout.service';
import { PromptStore } from '../store/ports/prompt-store.port';
import { ACTIVE_RAMP_STATUSES, type RampEvent, type RampRecord, RampStore } from '../store/ports/ramp-store.port';
import { currentPercent, type RampProblem, rampView, type RampView, stepAllocation, validateHold, validateSteps } from './domain/ramp';
import { prodVersionOf } from '../registry/domain/status-transitions';

/** How long one replica may hold a slug's ramp lease; a crashed holder's lease expires after this. */
export const RAMP_LEASE_MS = 30_000;
/** How long a manual action waits for the lease (the runner may be mid-step) before answering 409. */
const MANUAL_LEASE_WAIT_MS = 5_000;

export const RAMP_ACTOR: Principal = { keyId: 'ramp', name: 'ramp', role: 'admin' };
export const GUARDRAIL_ACTOR: Principal = { keyId: 'guardrail', name: 'guardrail', role: 'admin' };

export interface StartRampInput {
  version: number;
  steps: number[];
  holdSeconds: number;
  guardrails?: unknown;
  reason: string;
}

export type RampAction = 'pause' | 'resume' | 'abort' | 'advance';

class RampStateError extends ConflictError {}

/**
 * Ramps: move a candidate's share of a slug's traffic up step by step against the baseline (its prod version),
 * through RolloutService (validated, audited, revision-safe). Every change to a ramp happens under the slug's lease
 * in the RampStore, so with several replicas exactly one changes a given ramp at a time.
 */
@Injectable()
export class RampService {
  private readonly logger = new Logger(RampService.name);
  private readonly replica = randomUUID();
  /** When this replica last checked each slug's guardrails during a hold. */
  private readonly lastCheck = new Map<string, number>();

  constructor(
    private readonly ramps: RampStore,
    private readonly prompts: PromptStore,
    private readonly rollouts: RolloutService,
    private readonly registry: PromptRegistryService,
    private readonly guardrails: GuardrailChecker,
    private readonly metrics: MetricsService,
    private readonly gates: GateService,
    private readonly config: AppConfig,
  ) {}

  async current(slug: string): Promise<RampView> {
    const ramp = await this.ramps.get(slug);
    if (!ramp) throw new NotFoundError(`"${slug}" has no ramp`, { slug });
    return rampView(ramp);
  }

  async start(slug: string, input: StartRampInput, actor: Principal): Promise<RampView> {
    const problems: RampProblem[] = [...validateSteps(input.steps), ...validateHold(input.holdSeconds)];
    let guardrails = null;
    if (input.guardrails !== undefined && input.guardrails !== null) {
      const check = validateRuleOverrides(input.guardrails);
      if (check.ok) guardrails = check.value;
      else problems.push(...check.errors.map((e) => ({ field: `guardrails.${e.field}`, message: e.message })));
    }
    if (problems.length > 0) throw new UnprocessableError(`ramp is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { problems });

    return this.withLease(slug, MANUAL_LEASE_WAIT_MS, async () => {
      const state = await this.prompts.getState(slug);
      if (state.latestVersion === 0) throw new NotFoundError(`No prompt "${slug}"`, { slug });
      const existing = await this.ramps.get(slug);
      if (existing && ACTIVE_RAMP_STATUSES.includes(existing.status)) {
        throw new RampStateError(`"${slug}" already has a ${existing.status} ramp (of version ${existing.candidate}): abort it first`, { slug, rampId: existing.id, status: existing.status });
      }
      const baseline = prodVersionOf(state.statuses);
      if (baseline === null) throw new UnprocessableError(`Prompt "${slug}" has no prod version to ramp against: promote one first`, { slug });
      const status = Object.hasOwn(state.statuses, input.version) ? state.statuses[input.version] : undefined;
      if (status === undefined) throw new NotFoundError(`Prompt "${slug}" has no version ${input.version}`, { slug, version: input.version });
      if (status !== 'staging') {
        throw new UnprocessableError(`version ${input.version} is ${status}; only a staging version can be ramped (it is promoted to prod at 100%)`, { slug, version: input.version, status });
      }
      if (state.kill) throw new RampStateError(`"${slug}" is killed: restore it before starting a ramp`, { slug });
      if (state.rollout?.statsigAllocation) {
        throw new UnprocessableError(`The rollout of "${slug}" takes its weights from Statsig experiment "${state.rollout.statsigAllocation.experiment}": ramp there, or unlink it first`, { slug });
      }
      // A ramp ends in prod, so the candidate must clear the promotion gates before it starts (a 409 names them).
      await this.gates.assertMayGoToProd(slug, input.version, status);

      const at = new Date().toISOString();
      let ramp: RampRecord = {
        id: randomUUID(),
        slug,
        candidate: input.version,
        baseline,
        steps: input.steps,
        stepIndex: 0,
        holdSeconds: input.holdSeconds,
        guardrails,
        status: 'running',
        nextStepAt: null,
        createdAt: at,
        createdBy: actor.name,
        updatedAt: at,
        reason: input.reason,
        stopReason: null,
        evidence: null,
        history: [],
        revision: existing?.revision ?? 0,
      };
      ramp = await this.applyStep(ramp, 0, actor, input.reason, 'started');
      await this.audit(slug, actor, 'ramp.started', ramp, input.reason, { steps: ramp.steps, holdSeconds: ramp.holdSeconds, baseline, guardrails, status: ramp.status });
      return rampView(ramp);
    });
  }

  /** A manual action on the slug's ramp (the API and CLI). */
  async act(slug: string, action: RampAction, reason: string | undefined, actor: Principal): Promise<RampView> {
    return this.withLease(slug, MANUAL_LEASE_WAIT_MS, async () => {
      const ramp = await this.ramps.get(slug);
      if (!ramp) throw new NotFoundError(`"${slug}" has no ramp`, { slug });
      if (!ACTIVE_RAMP_STATUSES.includes(ramp.status)) throw new RampStateError(`The ramp of "${slug}" is ${ramp.status}: nothing to ${action}`, { slug, status: ramp.status });
      const why = reason ?? `manual ${action}`;
      if ((action === 'resume' || action === 'advance') && (await this.prompts.getState(slug)).kill) {
        throw new RampStateError(`"${slug}" is killed: restore it before you ${action} its ramp`, { slug });
      }
      switch (action) {
        case 'pause':
          if (ramp.status === 'paused') return rampView(ramp);
          return rampView(await this.save(ramp, { status: 'paused', nextStepAt: null }, event(actor.name, 'paused', currentPercent(ramp), why), actor, why));
        case 'resume':
          if (ramp.status === 'running') return rampView(ramp);
          return rampView(
            await this.save(ramp, { status: 'running', nextStepAt: dueAt(ramp.holdSeconds), stopReason: null }, event(actor.name, 'resumed', currentPercent(ramp), why), actor, why),
          );
        case 'abort':
          return rampView(await this.abort(ramp, actor, why, null));
        case 'advance':
          return rampView(await this.applyStep(ramp, ramp.stepIndex + 1, actor, why, 'advanced'));
      }
    });
  }

  /**
   * One runner pass: every running ramp that is due advances (or aborts on a guardrail breach), on exactly one
   * replica (the lease holder); while it holds, its guardrails are checked every RAMP_GUARDRAIL_CHECK_MS too. A killed
   * slug's running ramp is paused instead: kill pauses ramps.
   */
  async tick(now = new Date()): Promise<void> {
    for (const slug of await this.ramps.slugs()) {
      try {
        const seen = await this.ramps.get(slug);
        this.metrics.setRampStep(slug, seen && ACTIVE_RAMP_STATUSES.includes(seen.status) ? currentPercent(seen) : null);
        if (!seen || seen.status !== 'running') continue;
        const due = seen.nextStepAt !== null && Date.parse(seen.nextStepAt) <= now.getTime();
        const checkDue = now.getTime() - (this.lastCheck.get(slug) ?? 0) >= this.config.RAMP_GUARDRAIL_CHECK_MS;
        if (!due && !checkDue && !(await this.prompts.getState(slug)).kill) continue;
        await this.withLease(slug, 0, async () => {
          const ramp = await this.ramps.get(slug);
          if (!ramp || ramp.status !== 'running' || ramp.revision !== seen.revision) return; // another replica moved it
          if ((await this.prompts.getState(slug)).kill) {
            const why = 'the slug is killed: the ramp pauses (resume it after the restore)';
            await this.save(ramp, { status: 'paused', nextStepAt: null, stopReason: why }, event('ramp', 'paused', currentPercent(ramp), why), RAMP_ACTOR, why);
            return;
          }
          this.lastCheck.set(slug, now.getTime());
          const breaches = await this.guardrails.check(slug, ramp.candidate, ramp.guardrails ? effectiveRules(ramp.guardrails) : undefined, now);
          if (breaches.length > 0) {
            const why = `guardrail breached: ${breaches.map((b) => `${b.metric}${b.version === null ? '' : ` (v${b.version})`}`).join(', ')}`;
            await this.abort(ramp, GUARDRAIL_ACTOR, why, breaches);
            this.logger.warn(`Ramp of "${slug}" v${ramp.candidate} aborted: ${why}`);
            return;
          }
          if (due) await this.advanceOrHold(ramp);
        });
      } catch (error) {
        if (error instanceof LeaseBusyError) continue;
        this.logger.warn(`Ramp step of "${slug}" failed: ${(error as Error).message}`);
      }
    }
  }

  /**
   * The runner's next step. A gate that no longer holds (a failing eval since, a stricter policy) pauses the ramp with
   * the gate named in its status, instead of retrying on every pass.
   */
  private async advanceOrHold(ramp: RampRecord): Promise<void> {
    try {
      await this.applyStep(ramp, ramp.stepIndex + 1, RAMP_ACTOR, `ramp step ${ramp.stepIndex + 2} of ${ramp.steps.length}`, 'advanced');
    } catch (error) {
      if (!(error instanceof GatesUnmetError)) throw error;
      const why = `paused by the promotion gates: ${error.message}`;
      await this.save(ramp, { status: 'paused', nextStepAt: null, stopReason: why }, event('ramp', 'paused', currentPercent(ramp), why), RAMP_ACTOR, why);
      this.logger.warn(`Ramp of "${ramp.slug}" v${ramp.candidate} paused: ${why}`);
    }
  }

  /** Applies step `index` (promotes at 100%) and stores the ramp. */
  private async applyStep(ramp: RampRecord, index: number, actor: Principal, reason: string, action: 'started' | 'advanced'): Promise<RampRecord> {
    const percent = ramp.steps[index];
    if (percent === undefined) throw new RampStateError(`The ramp of "${ramp.slug}" has no step after ${ramp.steps[ramp.stepIndex]}%`, { slug: ramp.slug });
    if (percent < 100) {
      await this.rollouts.replaceAllocation(ramp.slug, stepAllocation(ramp.candidate, ramp.baseline, percent), `${reason} (ramp ${ramp.id}: v${ramp.candidate} at ${percent}%)`, actor);
      this.metrics.setRampStep(ramp.slug, percent);
      return this.save(ramp, { stepIndex: index, status: 'running', nextStepAt: dueAt(ramp.holdSeconds), stopReason: null }, event(actor.name, action, percent, reason), actor, reason);
    }
    const state = await this.prompts.getState(ramp.slug);
    if (state.statuses[ramp.candidate] !== 'prod') {
      await this.registry.changeStatus(ramp.slug, ramp.candidate, 'prod', `${reason} (ramp ${ramp.id} reached 100%)`, actor);
    }
    try {
      await this.rollouts.replaceAllocation(ramp.slug, [], `ramp ${ramp.id} completed: v${ramp.candidate} is prod`, actor);
    } catch (error) {
      this.logger.warn(`Ramp of "${ramp.slug}" completed but its allocation could not be cleared: ${(error as Error).message}`);
    }
    this.metrics.setRampStep(ramp.slug, null);
    return this.save(ramp, { stepIndex: index, status: 'completed', nextStepAt: null }, event(actor.name, 'completed', 100, reason), actor, reason);
  }

  private async abort(ramp: RampRecord, actor: Principal, reason: string, evidence: Breach[] | null): Promise<RampRecord> {
    await this.rollouts.replaceAllocation(ramp.slug, [], `ramp ${ramp.id} aborted: back to the baseline v${ramp.baseline}: ${reason}`, actor);
    this.metrics.setRampStep(ramp.slug, null);
    return this.save(ramp, { status: 'aborted', nextStepAt: null, stopReason: reason, evidence }, event(actor.name, 'aborted', null, reason), actor, reason, evidence ? { breaches: evidence } : undefined);
  }

  /** Stores the ramp with `changes` (CAS on its revision) and audits the event on the slug's chain. */
  private async save(ramp: RampRecord, changes: Partial<RampRecord>, happened: RampEvent, actor: Principal, reason: string, extra?: Record<string, unknown>): Promise<RampRecord> {
    const next: RampRecord = { ...ramp, ...changes, updatedAt: happened.at, history: [...ramp.history, happened], revision: ramp.revision + 1 };
    if (!(await this.ramps.put(ramp.slug, ramp.revision, next))) {
      throw new RampStateError(`The ramp of "${ramp.slug}" changed meanwhile: re-read it and retry`, { slug: ramp.slug });
    }
    if (happened.action !== 'started') await this.audit(ramp.slug, actor, `ramp.${happened.action}`, next, reason, { status: next.status, percent: currentPercent(next), ...extra });
    return next;
  }

  private async audit(slug: string, actor: Principal, action: string, ramp: RampRecord, reason: string, after: Record<string, unknown>): Promise<void> {
    await this.prompts.appendAudit(slug, { at: new Date().toISOString(), actor: actor.name, action, slug, version: ramp.candidate, after: { rampId: ramp.id, ...after }, reason });
  }

  /** Runs `work` holding the slug's lease; waits up to `waitMs` for it, then throws LeaseBusyError (409). */
  private async withLease<T>(slug: string, waitMs: number, work: () => Promise<T>): Promise<T> {
    const owner = `${this.replica}:${randomUUID()}`;
    const deadline = Date.now() + waitMs;
    while (!(await this.ramps.acquireLease(slug, owner, RAMP_LEASE_MS))) {
      if (Date.now() >= deadline) throw new LeaseBusyError(`The ramp of "${slug}" is being changed by another request or replica: retry`, { slug });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      return await work();
    } finally {
      await this.ramps.releaseLease(slug, owner).catch(() => undefined);
    }
  }
}

class LeaseBusyError extends ConflictError {}

function dueAt(holdSeconds: number): string {
  return new Date(Date.now() + holdSeconds * 1000).toISOString();
}

function event(actor: string, action: RampEvent['action'], percent: number | null, reason: string): RampEvent {
  return { at: new Date().toISOString(), actor, action, percent, reason };
}
