import { Injectable, Optional } from '@nestjs/common';
import type { EvaluationContext, JsonValue } from '@openfeature/core';
import { NotFoundError, UnprocessableError } from '../common/domain/domain-error';
import { ExposureRecorder } from '../experiments/exposure-recorder.service';
import { ResolveObserver } from '../metrics/observers';
import { render, type RenderValues } from '../registry/domain/render';
import { isFlagEvaluationError, type FlagCodeDefault, type FlagEvaluationError, type FlagResolution } from './domain/flag-evaluator';
import { type PromptFlagValue, variantName } from './domain/prompt-flag';
import { ServingState } from './serving-state.service';

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

  resolve(slug: string, request: ResolveRequest): ResolvedPrompt {
    const started = this.observer ? performance.now() : 0;
    // Object.assign, not a spread: V8 gives a spread of a request-shaped object a new hidden class on every call.
    const context: EvaluationContext = request.context ? Object.assign({}, request.context, { targetingKey: request.targetingKey }) : { targetingKey: request.targetingKey };
    const evaluation = this.evaluate(slug, context);
    if (isFlagEvaluationError(evaluation)) {
      if (evaluation.errorCode === 'FLAG_NOT_FOUND') throw new NotFoundError(`No prompt "${slug}" is being served: it has no prod version`, { slug });
      throw new UnprocessableError(`Evaluating "${slug}" failed (${evaluation.errorCode}): ${evaluation.message}`, { slug, errorCode: evaluation.errorCode });
    }
    if (evaluation.variant === undefined) throw new NotFoundError(`Prompt "${slug}" has no variant to serve`, { slug });
    const value = evaluation.value as unknown as PromptFlagValue;
    const result: ResolvedPrompt = {
      slug,
      version: value.version,
      variant: evaluation.variant,
      reason: evaluation.reason,
      revision: evaluation.revision,
      modelHint: value.modelHint,
      contentHash: value.contentHash,
      template: value.template,
    };
    if (request.variables !== undefined) {
      const compiled = this.state.served(slug)?.templates.get(value.version);
      if (!compiled) throw new Error(`No compiled template for ${slug} v${value.version}`);
      result.rendered = render(compiled, request.variables);
    }
    const shadowVersion = evaluation.flagMetadata?.['shadowVersion'];
    if (typeof shadowVersion === 'number' && shadowVersion !== result.version) {
      const shadow = this.shadow(slug, shadowVersion, request.variables);
      if (shadow) result.shadow = shadow;
    }
    this.exposures?.record(result, request.targetingKey);
    this.observer?.resolved(slug, result.version, result.reason, (performance.now() - started) / 1000);
    return result;
  }

  private shadow(slug: string, version: number, variables: RenderValues | undefined): ShadowPrompt | undefined {
    const variant = variantName(version);
    const value = this.state.evaluator.variantValue(slug, variant) as PromptFlagValue | undefined;
    if (!value) return undefined;
    const shadow: ShadowPrompt = { shadow: true, version, variant, modelHint: value.modelHint, contentHash: value.contentHash, template: value.template };
    if (variables !== undefined) {
      const compiled = this.state.served(slug)?.templates.get(version);
      try {
        if (!compiled) throw new Error(`no compiled template for v${version}`);
        shadow.rendered = render(compiled, variables);
      } catch (error) {
        shadow.renderError = (error as Error).message;
      }
    }
    return shadow;
  }
}
