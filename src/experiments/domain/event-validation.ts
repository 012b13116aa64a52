import { isValidSlug } from '../../registry/domain/slug';
import { type ExposureRecord, hourOf, type OutcomeRecord } from './experiment-records';

/** Outcome labels and finish reasons. */
export const LABEL_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
export const MAX_EVENT_BATCH = 1_000;
export const MAX_EXPOSURE_BATCH = 1_000;
/** An event may be at most this far in the future (clock skew) … */
export const MAX_FUTURE_MS = 3_600_000;
/** … and at most this old. Idempotency ids are kept longer than this, so a retry inside the window counts once. */
export const MAX_AGE_MS = 30 * 24 * 3_600_000;
const HASH_PATTERN = /^[0-9a-f]{64}$/;
/**
 * Bounds that keep stored sums exact: a batch's token counts are summed as doubles (exact below 2^53) before they
 * reach Redis's 64-bit counters, and scores are summed with their squares, which must stay finite.
 */
export const MAX_TOKENS = 1_000_000_000;
export const MAX_ABS_SCORE = 1e15;

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const OUTCOME_FIELDS = new Set(['id', 'slug', 'version', 'targetingKey', 'requestId', 'ts', 'outcome', 'latencyMs', 'promptTokens', 'completionTokens', 'finishReason', 'score', 'outputHash']);
const EXPOSURE_FIELDS = new Set(['slug', 'version', 'variant', 'revision', 'targetingKeyHash', 'ts', 'at']);

/**
 * Validates one raw outcome event (`POST /v1/events`). Every problem is reported with the field it concerns; unknown
 * fields are refused rather than silently dropped. The event's hour comes from `ts` (ISO-8601 or epoch ms), else `now`.
 */
export function validateOutcomeEvent(raw: unknown, now: number): Validated<OutcomeRecord> {
  if (!isObject(raw)) return { ok: false, errors: [{ field: '', message: 'an event must be a JSON object' }] };
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });
  for (const field of Object.keys(raw)) if (!OUTCOME_FIELDS.has(field)) add(field, 'is not a known event field');

  const id = raw.id;
  if (typeof id !== 'string' || id.length < 1 || id.length > 128) add('id', 'must be a string of 1 to 128 characters');
  if (!isValidSlug(raw.slug)) add('slug', 'must be a prompt slug (^[a-z0-9][a-z0-9-]{1,62}$)');
  if (!isPositiveInteger(raw.version)) add('version', 'must be a positive integer version number');
  const subjectFields = (['targetingKey', 'requestId'] as const).filter((f) => raw[f] !== undefined);
  if (subjectFields.length === 0) add('targetingKey', 'either targetingKey or requestId is required');
  for (const field of subjectFields) {
    const value = raw[field];
    if (typeof value !== 'string' || value.length < 1 || value.length > 256) add(field, 'must be a string of 1 to 256 characters');
  }
  const time = parseTime(raw.ts, now, 'ts', add);
  for (const field of ['outcome', 'finishReason'] as const) {
    const value = raw[field];
    if (value !== undefined && (typeof value !== 'string' || !LABEL_PATTERN.test(value))) add(field, `must match ${LABEL_PATTERN.source}`);
  }
  if (raw.latencyMs !== undefined && !isNonNegative(raw.latencyMs)) add('latencyMs', 'must be a finite non-negative number');
  for (const field of ['promptTokens', 'completionTokens'] as const) {
    const value = raw[field];
    if (value !== undefined && !(isNonNegative(value) && Number.isSafeInteger(value) && value <= MAX_TOKENS)) add(field, 'must be an integer from 0 to 1000000000');
  }
  if (raw.score !== undefined && !(typeof raw.score === 'number' && Math.abs(raw.score) <= MAX_ABS_SCORE)) add('score', 'must be a number from -1e15 to 1e15');
  const outputHash = raw.outputHash;
  if (outputHash !== undefined && (typeof outputHash !== 'string' || outputHash.length < 1 || outputHash.length > 128)) {
    add('outputHash', 'must be a string of 1 to 128 characters');
  }
  if (errors.length > 0) return { ok: false, errors };

  const record: OutcomeRecord = { id: id as string, slug: raw.slug as string, version: raw.version as number, hour: hourOf(time) };
  if (raw.outcome !== undefined) record.outcome = raw.outcome as string;
  if (raw.latencyMs !== undefined) record.latencyMs = raw.latencyMs as number;
  if (raw.promptTokens !== undefined) record.promptTokens = raw.promptTokens as number;
  if (raw.completionTokens !== undefined) record.completionTokens = raw.completionTokens as number;
  if (raw.finishReason !== undefined) record.finishReason = raw.finishReason as string;
  if (raw.score !== undefined) record.score = raw.score as number;
  if (outputHash !== undefined) record.outputHash = outputHash as string;
  return { ok: true, value: record };
}

/**
 * Validates one exposure sent by an in-process client (`POST /v1/exposures`): the targeting key only as its SHA-256
 * hex; time as `ts` or `at` (the plugin's name), ISO-8601 or epoch ms.
 */
export function validateExposure(raw: unknown, now: number): Validated<ExposureRecord> {
  if (!isObject(raw)) return { ok: false, errors: [{ field: '', message: 'an exposure must be a JSON object' }] };
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });
  for (const field of Object.keys(raw)) if (!EXPOSURE_FIELDS.has(field)) add(field, 'is not a known exposure field');
  if (!isValidSlug(raw.slug)) add('slug', 'must be a prompt slug (^[a-z0-9][a-z0-9-]{1,62}$)');
  if (!isPositiveInteger(raw.version)) add('version', 'must be a positive integer version number');
  if (typeof raw.variant !== 'string' || raw.variant.length < 1 || raw.variant.length > 64) add('variant', 'must be a string of 1 to 64 characters');
  if (!(typeof raw.revision === 'number' && Number.isSafeInteger(raw.revision) && raw.revision >= 0)) add('revision', 'must be a non-negative integer');
  if (typeof raw.targetingKeyHash !== 'string' || !HASH_PATTERN.test(raw.targetingKeyHash)) add('targetingKeyHash', 'must be a SHA-256 hex digest (64 lowercase hex characters)');
  if (raw.ts !== undefined && raw.at !== undefined) add('at', 'give either ts or at, not both');
  const timeField = raw.ts !== undefined ? 'ts' : 'at';
  const time = parseTime(raw[timeField], now, timeField, add);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      slug: raw.slug as string,
      version: raw.version as number,
      variant: raw.variant as string,
      revision: raw.revision as number,
      targetingKeyHash: raw.targetingKeyHash as string,
      hour: hourOf(time),
    },
  };
}

function parseTime(value: unknown, now: number, field: string, add: (field: string, message: string) => void): number {
  if (value === undefined) return now;
  let ms = NaN;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    add(field, 'must be an ISO-8601 instant or epoch milliseconds');
    return now;
  }
  if (ms > now + MAX_FUTURE_MS) add(field, 'is more than 1 hour in the future');
  else if (ms < now - MAX_AGE_MS) add(field, 'is more than 30 days old');
  return ms;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
