import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/domain/principal';
import { ConflictError, StaleWriteError, UnprocessableError } from '../common/domain/domain-error';
import { buildFlagDocument, validateFlagDocument } from '../flags/domain/flag-document';
import { type RolloutProblem, validateRolloutSpec } from '../flags/domain/rollout-validation';
import type { PromptStatus } from '../registry/domain/prompt-version';
import { PromptChangePublisher } from '../flags/prompt-change.publisher';
import { reasonWithGateWaiver } from '../gates/domain/gate-policy';
import { GateService } from '../gates/gate.service';
import { StatsigAllocationSource } from '../statsig/statsig-allocation.source';
import { PromptFlagLoader } from '../flags/prompt-flag.loader';
import { type PromptState, PromptStore } from '../store/ports/prompt-store.port';
import { effectiveRollout } from './domain/effective-rollout';
import { type Allocation, EMPTY_ROLLOUT, type RolloutSpec, sameAllocation } from './domain/rollout';
import { prodVersionOf } from '../registry/domain/status-transitions';

export interface RolloutView extends RolloutSpec {
  flagKey: string;
  revision: number;
  baseline: number | null;
  /** Versions the rollout names that no longer serve (deprecated since); their traffic goes to the others. */
  inactive: number[];
  updatedAt: string | null;
  updatedBy: string | null;
}

/** Who gets which version of a slug: the split, the pinned segments and what to bucket on. */
@Injectable()
export class RolloutService {
  constructor(
    private readonly store: PromptStore,
    private readonly loader: PromptFlagLoader,
    private readonly changes: PromptChangePublisher,
    private readonly gates: GateService,
    private readonly statsig: StatsigAllocationSource,
  ) {}

  async get(slug: string): Promise<RolloutView> {
    return view(slug, await this.store.getState(slug));
  }

  /**
   * Replaces the rollout when `expectedRevision` is still current: two people editing at once never silently merge.
   * The flag it produces is validated against the flagd schema before anything is stored, and no version that has not
   * met the promotion gates may get more than the slug's canary share, unless `gateWaiver` says why they do not apply
   * (recorded in the audit entry).
   */
  async replace(slug: string, expectedRevision: number, requested: RolloutSpec, reason: string, actor: Principal, gateWaiver?: string): Promise<RolloutView> {
    const spec = this.withStatsigAllocation(requested);
    const state = await this.store.getState(slug);
    if (state.revision !== expectedRevision) throw staleRevision(slug, expectedRevision, state.revision);
    const problems = [...validateRolloutSpec(spec, state.statuses), ...shadowProblems(spec, state.statuses)];
    if (problems.length > 0) {
      throw new UnprocessableError(`rollout is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { problems });
    }
    if (gateWaiver === undefined) await this.gates.assertRolloutAllowed(slug, state, spec);
    const candidate = await this.loader.build(slug, state, spec);
    if (!candidate) throw new UnprocessableError(`Prompt "${slug}" has no prod version yet: promote one before setting a rollout`, { slug });
    validateFlagDocument(buildFlagDocument({ [slug]: candidate.flag }, { version: String(state.revision + 1) }));

    const at = new Date().toISOString();
    const before = state.rollout ? stripMeta(state.rollout) : EMPTY_ROLLOUT;
    try {
      const next = await this.store.putRollout(slug, expectedRevision, { ...spec, updatedAt: at, updatedBy: actor.name }, {
        at,
        actor: actor.name,
        action: 'rollout.replaced',
        slug,
        before: { revision: state.revision, ...before },
        after: { revision: state.revision + 1, ...spec },
        reason: reasonWithGateWaiver(reason, gateWaiver),
      });
      await this.changes.changed(slug, next.revision);
      return view(slug, next);
    } catch (error) {
      if (error instanceof StaleWriteError) throw staleRevision(slug, expectedRevision, (await this.store.getState(slug)).revision);
      throw error;
    }
  }

  /**
   * Replaces only the allocation at the current revision, keeping the rules and `bucketBy`: for automated writers
   * (ramps) that act on the slug as it is now. Goes through {@link replace}, so it is validated and audited the same
   * way; re-reads and retries when it loses a race with another writer.
   */
  async replaceAllocation(slug: string, allocation: Allocation[], reason: string, actor: Principal, attempts = 5): Promise<RolloutView> {
    for (let attempt = 1; ; attempt++) {
      const state = await this.store.getState(slug);
      const { shadow, ...current } = state.rollout ? stripMeta(state.rollout) : EMPTY_ROLLOUT;
      // A shadow promoted or deprecated since no longer applies: drop it rather than fail the whole write.
      const keepShadow = shadow !== undefined && state.statuses[shadow] === 'staging';
      try {
        return await this.replace(slug, state.revision, { ...current, allocation, ...(keepShadow ? { shadow } : {}) }, reason, actor);
      } catch (error) {
        if (!(error instanceof ConflictError) || error.details?.['currentRevision'] === undefined || attempt >= attempts) throw error;
      }
    }
  }

  /**
   * A rollout whose weights come from Statsig gets them from there, now. An allocation sent along must agree with
   * Statsig's (an automated writer passes what it just read); anything else is refused rather than silently dropped.
   */
  private withStatsigAllocation(spec: RolloutSpec): RolloutSpec {
    if (spec.statsigAllocation === undefined) return spec;
    const { experiment, parameter } = spec.statsigAllocation;
    const allocation = this.statsig.allocationFor(experiment, parameter);
    if (spec.allocation.length > 0 && !sameAllocation(spec.allocation, allocation)) {
      throw new UnprocessableError(`rollout is invalid: allocation: the weights come from Statsig experiment "${experiment}" (now ${JSON.stringify(allocation)}); omit allocation`, {
        problems: [{ field: 'allocation', message: `comes from Statsig experiment "${experiment}"` }],
      });
    }
    return { ...spec, allocation };
  }
}

function view(slug: string, state: PromptState): RolloutView {
  const spec = state.rollout ? stripMeta(state.rollout) : EMPTY_ROLLOUT;
  return {
    flagKey: slug,
    revision: state.revision,
    baseline: prodVersionOf(state.statuses),
    ...spec,
    inactive: effectiveRollout(spec, state.statuses).inactive,
    updatedAt: state.rollout?.updatedAt ?? null,
    updatedBy: state.rollout?.updatedBy ?? null,
  };
}

function stripMeta(rollout: RolloutSpec): RolloutSpec {
  return {
    allocation: rollout.allocation,
    rules: rollout.rules,
    ...(rollout.bucketBy !== undefined ? { bucketBy: rollout.bucketBy } : {}),
    ...(rollout.shadow !== undefined ? { shadow: rollout.shadow } : {}),
    ...(rollout.statsigAllocation !== undefined ? { statsigAllocation: rollout.statsigAllocation } : {}),
  };
}

/** The shadow must be a staging version: the prod version is the baseline, which every caller already gets. */
function shadowProblems(spec: RolloutSpec, statuses: Record<number, PromptStatus>): RolloutProblem[] {
  if (spec.shadow === undefined) return [];
  const status = Object.hasOwn(statuses, spec.shadow) ? statuses[spec.shadow] : undefined;
  if (!Number.isSafeInteger(spec.shadow) || status === undefined) return [{ field: 'shadow', message: `version ${spec.shadow} does not exist` }];
  if (status !== 'staging') return [{ field: 'shadow', message: `version ${spec.shadow} is ${status}; only a staging version can be the shadow (prod is the baseline)` }];
  return [];
}

function staleRevision(slug: string, expected: number, current: number): ConflictError {
  return new ConflictError(`The rollout of "${slug}" is at revision ${current}, not ${expected}: re-read it and apply your change again`, {
    slug,
    expectedRevision: expected,
    currentRevision: current,
  });
}
