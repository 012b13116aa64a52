import { createHash } from 'node:crypto';
import type { EvaluationContext, FlagMetadata, JsonValue } from '@openfeature/core';
import { canonicalJson } from '../../common/domain/canonical-hash';
import type { FlagCodeDefault, FlagEvaluationError, FlagResolution } from '../../flags/domain/flag-evaluator';

/**
 * OFREP wire shapes and the pure mapping from our flag evaluations to them.
 *
 * @see https://github.com/open-feature/protocol/blob/main/service/openapi.yaml
 * @see open-feature/js-sdk-contrib:libs/shared/ofrep-core/src/lib/model/evaluation.ts
 */

/** The error codes OFREP answers with (OpenFeature `ErrorCode` names). */
export type OfrepErrorCode = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL' | 'FLAG_NOT_FOUND';

/** 200 body of a single-flag evaluation, and a success entry of a bulk answer. `value` is absent for a code default. */
export interface OfrepEvaluationSuccess {
  key: string;
  value?: JsonValue;
  variant?: string;
  reason: string;
  metadata: FlagMetadata;
}

/** 400/404/500 body of a single-flag evaluation, and a failure entry of a bulk answer. */
export interface OfrepEvaluationFailure {
  key: string;
  errorCode: OfrepErrorCode;
  errorDetails?: string;
}

export interface OfrepBulkSuccess {
  flags: (OfrepEvaluationSuccess | OfrepEvaluationFailure)[];
  metadata: FlagMetadata;
}

/** 400/500 body of a bulk evaluation that failed as a whole (no flag key). */
export interface OfrepBulkFailure {
  errorCode: OfrepErrorCode;
  errorDetails?: string;
}

export interface OfrepAnswer<T> {
  status: number;
  body: T;
}

/** What the resolver's `evaluate` returns (kept structural: domain code does not import services). */
export type OfrepEvaluationInput = (FlagResolution & { revision: number }) | FlagCodeDefault | FlagEvaluationError;

/** The longest targeting key accepted, as on the resolve endpoint. */
export const MAX_TARGETING_KEY_LENGTH = 256;

export type ParsedOfrepRequest = { ok: true; context: EvaluationContext } | { ok: false; errorCode: OfrepErrorCode; errorDetails: string };

/**
 * Checks an OFREP request body `{context: {targetingKey, ...}}`. A targeting key is required, as on the resolve
 * endpoint (the OFREP schema requires it too): without one every surface would have to agree on what a keyless
 * caller gets.
 */
export function parseOfrepRequest(body: unknown): ParsedOfrepRequest {
  if (!isPlainObject(body)) return { ok: false, errorCode: 'PARSE_ERROR', errorDetails: 'The request body must be a JSON object: {"context": {"targetingKey": "..."}}' };
  const { context } = body;
  if (context === undefined) return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: 'context is required: {"context": {"targetingKey": "..."}}' };
  if (!isPlainObject(context)) return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: 'context must be a JSON object' };
  const { targetingKey } = context;
  if (targetingKey === undefined || targetingKey === null || targetingKey === '') {
    return { ok: false, errorCode: 'TARGETING_KEY_MISSING', errorDetails: 'context.targetingKey is required' };
  }
  if (typeof targetingKey !== 'string') return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: 'context.targetingKey must be a string' };
  if (targetingKey.length > MAX_TARGETING_KEY_LENGTH) {
    return { ok: false, errorCode: 'INVALID_CONTEXT', errorDetails: `context.targetingKey must be at most ${MAX_TARGETING_KEY_LENGTH} characters` };
  }
  return { ok: true, context: context as EvaluationContext };
}

/** A request that failed before evaluation (bad body, bad context), for one flag. */
export function ofrepRequestFailure(key: string, failure: { errorCode: OfrepErrorCode; errorDetails: string }): OfrepAnswer<OfrepEvaluationFailure> {
  return { status: statusOf(failure.errorCode), body: { key, errorCode: failure.errorCode, errorDetails: failure.errorDetails } };
}

/** The same, for a bulk request. */
export function ofrepBulkRequestFailure(failure: { errorCode: OfrepErrorCode; errorDetails: string }): OfrepAnswer<OfrepBulkFailure> {
  return { status: statusOf(failure.errorCode), body: { errorCode: failure.errorCode, errorDetails: failure.errorDetails } };
}

/** Maps one flag's evaluation to an OFREP single-flag answer (status and body). */
export function toOfrepAnswer(key: string, evaluation: OfrepEvaluationInput): OfrepAnswer<OfrepEvaluationSuccess | OfrepEvaluationFailure> {
  const entry = toOfrepEntry(key, evaluation);
  return { status: 'errorCode' in entry ? statusOf(entry.errorCode) : 200, body: entry };
}

/** Maps one flag's evaluation to a bulk entry (failures stay per flag). */
export function toOfrepEntry(key: string, evaluation: OfrepEvaluationInput): OfrepEvaluationSuccess | OfrepEvaluationFailure {
  if ('errorCode' in evaluation) {
    const errorCode = toOfrepErrorCode(evaluation.errorCode);
    const details = evaluation.message || `Evaluating "${key}" failed (${evaluation.errorCode})`;
    return { key, errorCode, errorDetails: errorCode === evaluation.errorCode ? details : `${evaluation.errorCode}: ${details}` };
  }
  if (evaluation.variant === undefined) {
    // A code default (flag DISABLED, or no default variant): OFREP says so by leaving `value` out.
    return { key, reason: evaluation.reason, metadata: { ...evaluation.flagMetadata } };
  }
  return {
    key,
    value: evaluation.value,
    variant: evaluation.variant,
    reason: evaluation.reason,
    metadata: promptMetadata(key, evaluation),
  };
}

/** Flag metadata plus what a caller needs to log the exposure: slug, version, contentHash, revision. */
function promptMetadata(key: string, evaluation: FlagResolution & { revision: number }): FlagMetadata {
  const metadata: Record<string, string | number | boolean> = { ...evaluation.flagMetadata, slug: key, revision: evaluation.revision };
  const value = evaluation.value;
  if (isPlainObject(value)) {
    if (typeof value.version === 'number') metadata.version = value.version;
    if (typeof value.contentHash === 'string') metadata.contentHash = value.contentHash;
    if (typeof value.slug === 'string') metadata.slug = value.slug;
  }
  return metadata;
}

/** OFREP knows only five error codes; anything else (TYPE_MISMATCH, PROVIDER_*) is GENERAL, a 500. */
export function toOfrepErrorCode(code: string): OfrepErrorCode {
  switch (code) {
    case 'PARSE_ERROR':
    case 'TARGETING_KEY_MISSING':
    case 'INVALID_CONTEXT':
    case 'FLAG_NOT_FOUND':
      return code;
    default:
      return 'GENERAL';
  }
}

export function statusOf(code: OfrepErrorCode): number {
  switch (code) {
    case 'FLAG_NOT_FOUND':
      return 404;
    case 'GENERAL':
      return 500;
    default:
      return 400;
  }
}

/**
 * The ETag of a bulk answer: it changes when the flag document, the context or the staleness changes, so a
 * client polling with the same context gets a 304 until one of its answers could differ.
 */
export function bulkEtag(documentVersion: string, context: EvaluationContext, stale: boolean): string {
  const hash = createHash('sha256').update(`${documentVersion}\u0000${stale ? 1 : 0}\u0000${canonicalJson(context)}`).digest('base64url');
  return `"${hash.slice(0, 32)}"`;
}

/** Whether an If-None-Match header matches `etag` (a list, weak tags and `*` included). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
