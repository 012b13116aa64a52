import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/domain/principal';
import { ConflictError, StaleWriteError, UnprocessableError } from '../common/domain/domain-error';
import { buildFlagDocument, validateFlagDocument } from '../flags/domain/flag-document';
import { validateRolloutSpec } from '../flags/domain/rollout-validation';
import { PromptChangePublisher } from '../flags/prompt-change.publisher';
import { PromptFlagLoader } from '../flags/prompt-flag.loader';
import { type PromptState, PromptStore } from '../store/ports/prompt-store.port';
import { effectiveRollout, prodVersionOf } from './domain/effective-rollout';
import { EMPTY_ROLLOUT, type RolloutSpec } from './domain/rollout';

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
  ) {}

  async get(slug: string): Promise<RolloutView> {
    return view(slug, await this.store.getState(slug));
  }

  /**
   * Replaces the rollout when `expectedRevision` is still current: two people editing at once never silently merge.
   * The flag it produces is validated against the flagd schema before anything is stored.
   */
  async replace(slug: string, expectedRevision: number, spec: RolloutSpec, reason: string, actor: Principal): Promise<RolloutView> {
    const state = await this.store.getState(slug);
    if (state.revision !== expectedRevision) throw staleRevision(slug, expectedRevision, state.revision);
    const problems = validateRolloutSpec(spec, state.statuses);
    if (problems.length > 0) {
      throw new UnprocessableError(`rollout is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { problems });
    }
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
        reason,
      });
      await this.changes.changed(slug, next.revision);
      return view(slug, next);
    } catch (error) {
      if (error instanceof StaleWriteError) throw staleRevision(slug, expectedRevision, (await this.store.getState(slug)).revision);
      throw error;
    }
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
  };
}

function staleRevision(slug: string, expected: number, current: number): ConflictError {
  return new ConflictError(`The rollout of "${slug}" is at revision ${current}, not ${expected}: re-read it and apply your change again`, {
    slug,
    expectedRevision: expected,
    currentRevision: current,
  });
}
