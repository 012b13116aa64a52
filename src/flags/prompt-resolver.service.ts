import { Injectable } from '@nestjs/common';
import type { EvaluationContext, JsonValue } from '@openfeature/core';
import { NotFoundError, UnprocessableError } from '../common/domain/domain-error';
import { render, type RenderValues } from '../registry/domain/render';
import { isFlagEvaluationError } from './domain/flag-evaluator';
import type { PromptFlagValue } from './domain/prompt-flag';
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
}

/**
 * The one path from flag document to rendered prompt, used by every surface (HTTP resolve, OFREP, flagd sync
 * clients through the same document). Works from memory only: never waits on the store.
 */
@Injectable()
export class PromptResolver {
  constructor(private readonly state: ServingState) {}

  resolve(slug: string, request: ResolveRequest): ResolvedPrompt {
    const context: EvaluationContext = request.context ? { ...request.context, targetingKey: request.targetingKey } : { targetingKey: request.targetingKey };
    const evaluation = this.state.evaluator.evaluate(slug, context);
    if (isFlagEvaluationError(evaluation)) {
      if (evaluation.errorCode === 'FLAG_NOT_FOUND') throw new NotFoundError(`No prompt "${slug}" is being served: it has no prod version`, { slug });
      throw new UnprocessableError(`Evaluating "${slug}" failed (${evaluation.errorCode}): ${evaluation.message}`, { slug, errorCode: evaluation.errorCode });
    }
    if (evaluation.variant === undefined) throw new NotFoundError(`Prompt "${slug}" has no variant to serve`, { slug });
    const value = evaluation.value as unknown as PromptFlagValue;
    const served = this.state.served(slug);
    const result: ResolvedPrompt = {
      slug,
      version: value.version,
      variant: evaluation.variant,
      reason: this.state.stale ? 'STALE' : evaluation.reason,
      revision: served?.revision ?? 0,
      modelHint: value.modelHint,
      contentHash: value.contentHash,
      template: value.template,
    };
    if (request.variables !== undefined) {
      const compiled = served?.templates.get(value.version);
      if (!compiled) throw new Error(`No compiled template for ${slug} v${value.version}`);
      result.rendered = render(compiled, request.variables);
    }
    return result;
  }
}
