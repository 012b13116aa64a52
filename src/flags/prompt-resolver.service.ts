import { Injectable, Optional } from '@nestjs/common';
import type { EvaluationContext, JsonValue } from '@openfeature/core';
import { NotFoundError, UnprocessableError } from '../common/domain/domain-error';
import { ExposureRecorder } from '../experiments/exposure-recorder.service';
import { ResolveObserver } from '../metrics/observers';
import { render, type RenderValues } from '../registry/domain/render';
import { isFlagEvaluationError, type FlagCodeDefault, type FlagEvaluationError, type FlagResolution } from './domain/flag-evaluator';
import { ServingState, type ServedVersion } from './serving-state.service';

export interface ResolveRequest {
  targetingKey: string;
  context?: Record<string, JsonValue>;
  /** When given, the template is rendered with these values. */
  variables?: RenderValues;
}

export interface ResolvedPrompt {
  slug: string;
  version: number;
  variant: string;
  /** flagd-core's reason (TARGETING_MATCH, STATIC, DEFAULT), or STALE while the store is unreachable. */
  reason: string;
  revision: number;
  modelHint: string;
  contentHash: string;
  template: string;
  rendered?: string;
  /** The rollout's shadow, when it names one: run it too and log its output, but never serve it. */
  shadow?: ShadowPrompt;
}

export interface ShadowPrompt {
  shadow: true;
  version: number;
  variant: string;
  modelHint: string;
  contentHash: string;
  template: string;
  rendered?: string;
  /** Why the shadow could not be rendered (e.g. a variable only it requires); the served prompt is unaffected. */
  renderError?: string;
}

/**
 * One resolve in this many reads the clock for the duration histogram: reading it twice on every resolve cost about a
 * tenth of the resolve. The histogram is a 1-in-16 sample (its count is a sixteenth of the resolves, which
 * `promptflag_resolves_total` counts exactly).
 */
export const TIMED_EVERY = 16;

/**
 * A flag-level result, as every surface maps it: flagd-core's evaluation, with reason STALE while the store is
 * unreachable, and the revision of the flag that answered.
 */
export type PromptEvaluation = (FlagResolution & { revision: number }) | FlagCodeDefault | FlagEvaluationError;

/**
 * The one path from flag document to rendered prompt, used by every surface (HTTP resolve, OFREP, flagd sync
 * clients through the same document). Works from memory only: never waits on the store.
 */
@Injectable()
export class PromptResolver {
  private resolves = 0;

  constructor(
    private readonly state: ServingState,
    @Optional() private readonly exposures?: ExposureRecorder,
    @Optional() private readonly observer?: ResolveObserver,
  ) {}

  /**
   * Evaluates the slug's flag for `context` from memory (the engine behind every surface: HTTP resolve, OFREP, and
   * in-process flagd clients reading the same document). Values are flagd-core's frozen objects: read-only.
   */
  evaluate(slug: string, context: EvaluationContext): PromptEvaluation {
    const evaluation = this.state.evaluator.evaluate(slug, context);
    if (isFlagEvaluationError(evaluation) || evaluation.variant === undefined) return evaluation;
    return {
      variant: evaluation.variant,
      value: evaluation.value,
      reason: this.state.stale ? 'STALE' : evaluation.reason,
      flagMetadata: evaluation.flagMetadata,
      revision: Number(evaluation.flagMetadata.revision ?? 0),
    };
  }

  /**
   * Counts a flag-level evaluation that a surface served to a caller (an OFREP single-flag evaluation) the way
   * {@link resolve} counts its own: in the resolve metrics and, with a targeting key, as an exposure.
   */
  recordServed(slug: string, evaluation: PromptEvaluation, targetingKey: unknown): void {
    if (isFlagEvaluationError(evaluation) || evaluation.variant === undefined) return;
    const version = this.state.served(slug)?.versions.get(evaluation.variant)?.version;
    if (version === undefined) return;
    this.observer?.resolved(slug, version, evaluation.reason, undefined);
    if (typeof targetingKey === 'string' && targetingKey.length > 0) {
      this.exposures?.record({ slug, version, variant: evaluation.variant, revision: evaluation.revision }, targetingKey);
    }
  }

  resolve(slug: string, request: ResolveRequest): ResolvedPrompt {
    const timed = this.observer !== undefined && this.resolves++ % TIMED_EVERY === 0;
    const started = timed ? performance.now() : 0;
    const evaluation = this.state.evaluator.evaluate(slug, contextOf(request));
    if (isFlagEvaluationError(evaluation)) {
      if (evaluation.errorCode === 'FLAG_NOT_FOUND') throw new NotFoundError(`No prompt "${slug}" is being served: it has no prod version`, { slug });
      throw new UnprocessableError(`Evaluating "${slug}" failed (${evaluation.errorCode}): ${evaluation.message}`, { slug, errorCode: evaluation.errorCode });
    }
    if (evaluation.variant === undefined) throw new NotFoundError(`Prompt "${slug}" has no variant to serve`, { slug });
    const served = this.state.served(slug);
    const version = served?.versions.get(evaluation.variant);
    if (served === undefined || version === undefined) throw new Error(`No served version for ${slug} ${evaluation.variant}`);
    const result: ResolvedPrompt = {
      slug,
      version: version.version,
      variant: version.variant,
      reason: this.state.stale ? 'STALE' : evaluation.reason,
      revision: served.revision,
      modelHint: version.modelHint,
      contentHash: version.contentHash,
      template: version.template,
    };
    if (request.variables !== undefined) result.rendered = render(version.compiled, request.variables);
    const shadow = served.shadow;
    if (shadow !== undefined && shadow.version !== version.version) result.shadow = shadowPrompt(shadow, request.variables);
    this.exposures?.record(result, request.targetingKey);
    this.observer?.resolved(slug, result.version, result.reason, timed ? (performance.now() - started) / 1000 : undefined);
    return result;
  }
}

function contextOf(request: ResolveRequest): EvaluationContext {
  if (!request.context) return { targetingKey: request.targetingKey };
  // Object.assign and then one assignment, not a spread: V8 gives a spread of a request-shaped object a new hidden
  // class on every call, and a third argument to Object.assign costs an extra object.
  const context: EvaluationContext = Object.assign({}, request.context);
  context.targetingKey = request.targetingKey;
  return context;
}

function shadowPrompt(served: ServedVersion, variables: RenderValues | undefined): ShadowPrompt {
  const shadow: ShadowPrompt = { shadow: true, version: served.version, variant: served.variant, modelHint: served.modelHint, contentHash: served.contentHash, template: served.template };
  if (variables !== undefined) {
    try {
      shadow.rendered = render(served.compiled, variables);
    } catch (error) {
      shadow.renderError = (error as Error).message;
    }
  }
  return shadow;
}
