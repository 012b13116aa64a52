import { createHash } from 'node:crypto';
import type { ErrorCode, EvaluationContext, FlagMetadata, JsonValue, Logger, ResolutionReason } from '@openfeature/core';
import type { FeatureFlag } from '@openfeature/flagd-core';
import {
  compileFlagDocument,
  FLAG_SET_ID,
  FLAGD_SCHEMA_URL,
  SILENT_LOGGER,
  type FlagdDocument,
  type FlagdFlagDefinition,
  type FlagdMetadata,
  type FlagdTargeting,
} from './flag-document';

/** A resolved value (reason STATIC, TARGETING_MATCH or DEFAULT with the default variant). */
export interface FlagResolution {
  variant: string;
  value: JsonValue;
  reason: ResolutionReason;
  flagMetadata: FlagMetadata;
}

/**
 * A successful evaluation without a value: the flag is DISABLED, or it has no default variant and targeting did not
 * pick one. The caller must use its own code default (OFREP: answer without `value`).
 */
export interface FlagCodeDefault {
  variant?: undefined;
  value?: undefined;
  reason: 'DISABLED' | 'DEFAULT';
  flagMetadata: FlagMetadata;
}

export interface FlagEvaluationError {
  errorCode: `${ErrorCode}`;
  message: string;
  flagMetadata?: FlagMetadata;
}

export type FlagEvaluation = FlagResolution | FlagCodeDefault | FlagEvaluationError;

export function isFlagEvaluationError(e: FlagEvaluation): e is FlagEvaluationError {
  return 'errorCode' in e;
}

export interface PromptFlagEvaluatorOptions {
  /** flagd-core logger for targeting troubleshooting (debug level). Silent by default. */
  logger?: Logger;
  /**
   * `strict` (default): refuse flags that break flagd-core's bundled flags.json schema, as
   * {@link validateFlagDocument} does. `lenient`: only flagd-core's structural checks, which is what flagd and its
   * in-process providers apply by default (e.g. the testbed's negative-weight flag breaks the schema's `minimum: 0`
   * but evaluates, clamped).
   */
  validation?: 'strict' | 'lenient';
}

/** What we keep per flag besides the compiled FeatureFlag, to re-export the document (values are not copied). */
interface FlagSource {
  targeting?: FlagdTargeting;
  metadata?: FlagdMetadata;
}

/**
 * Evaluates flagd flags with flagd-core itself (the engine of flagd's in-process providers), one compiled
 * {@link FeatureFlag} per key: setting one flag validates and compiles only that flag.
 *
 * Accepts any flagd flag that passes validation (prompt flags, but also e.g. the testbed's string flags). Variant values are deep-frozen and returned by reference; treat results as read-only.
 * Flag metadata is the flag's own merged over `{flagSetId}` (as flagd merges flag-set metadata), without the
 * document `version`, which changes with every flag.
 */
export class PromptFlagEvaluator {
  private readonly compiled = new Map<string, FeatureFlag>();
  private readonly sources = new Map<string, FlagSource>();
  private readonly setMetadata: FlagdMetadata = { flagSetId: FLAG_SET_ID };
  private readonly logger: Logger;
  private readonly strict: boolean;
  private cachedDocument: FlagdDocument | undefined;

  constructor(options: PromptFlagEvaluatorOptions = {}) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.strict = (options.validation ?? 'strict') === 'strict';
  }

  get size(): number {
    return this.compiled.size;
  }

  has(key: string): boolean {
    return this.compiled.has(key);
  }

  keys(): IterableIterator<string> {
    return this.compiled.keys();
  }

  /**
   * Validates `flag` (by default flagd-core's strict schema validation, as {@link validateFlagDocument}) and
   * replaces the flag under `key`. On an invalid flag throws `InvalidFlagDocumentError` and keeps the previous one.
   */
  set(key: string, flag: FlagdFlagDefinition): void {
    const [compiled, source] = this.compile({ [key]: flag }).get(key) as [FeatureFlag, FlagSource];
    this.compiled.set(key, compiled);
    this.sources.set(key, source);
    this.cachedDocument = undefined;
  }

  /** Replaces every flag at once; all-or-nothing (throws and keeps the current flags if any flag is invalid). */
  replaceAll(flags: Record<string, FlagdFlagDefinition>): void {
    const next = this.compile(flags);
    this.compiled.clear();
    this.sources.clear();
    for (const [key, [compiled, source]] of next) {
      this.compiled.set(key, compiled);
      this.sources.set(key, source);
    }
    this.cachedDocument = undefined;
  }

  delete(key: string): boolean {
    this.sources.delete(key);
    const had = this.compiled.delete(key);
    if (had) this.cachedDocument = undefined;
    return had;
  }

  /** The value of one variant of a flag (e.g. a prompt flag's shadow), or undefined. Read-only. */
  variantValue(key: string, variant: string): unknown {
    return this.compiled.get(key)?.variants.get(variant);
  }

  /** Hot path: one map lookup and flagd-core's evaluation; successful results are flagd-core's own objects. */
  evaluate(key: string, context: EvaluationContext): FlagEvaluation {
    const flag = this.compiled.get(key);
    if (flag === undefined) return { errorCode: 'FLAG_NOT_FOUND', message: `flag '${key}' not found` };
    if (flag.state === 'DISABLED') return { reason: 'DISABLED', flagMetadata: flag.metadata };
    const r = flag.evaluate(context, this.logger);
    if (r.errorCode !== undefined) {
      return { errorCode: r.errorCode, message: r.errorMessage ?? '', flagMetadata: r.flagMetadata };
    }
    return r as FlagResolution | FlagCodeDefault;
  }

  /**
   * The flagd document of all current flags, keys sorted. `metadata.version` defaults to a hash of the flags'
   * contents (stable across processes holding the same flags, so usable as an ETag). Frozen and cached until the
   * next change; variant values are shared with the evaluator, not copied.
   */
  exportDocument(version?: string): FlagdDocument {
    if (version === undefined && this.cachedDocument !== undefined) return this.cachedDocument;
    const keys = [...this.compiled.keys()].sort();
    const flags: Record<string, FlagdFlagDefinition> = {};
    const hash = createHash('sha256');
    for (const key of keys) {
      const compiled = this.compiled.get(key) as FeatureFlag;
      const source = this.sources.get(key) as FlagSource;
      hash.update(`${key}\u0000${compiled.hash}\u0000`);
      const def: FlagdFlagDefinition = {
        state: compiled.state as FlagdFlagDefinition['state'],
        variants: Object.freeze(Object.fromEntries(compiled.variants)) as FlagdFlagDefinition['variants'],
      };
      if (compiled.defaultVariant !== undefined) def.defaultVariant = compiled.defaultVariant;
      if (source.targeting !== undefined) def.targeting = source.targeting;
      if (source.metadata !== undefined) def.metadata = source.metadata;
      flags[key] = Object.freeze(def);
    }
    const doc: FlagdDocument = Object.freeze({
      $schema: FLAGD_SCHEMA_URL,
      flags: Object.freeze(flags),
      metadata: Object.freeze({ flagSetId: FLAG_SET_ID, version: version ?? hash.digest('hex') }),
    });
    if (version === undefined) this.cachedDocument = doc;
    return doc;
  }

  private compile(flags: Record<string, FlagdFlagDefinition>): Map<string, [FeatureFlag, FlagSource]> {
    const { flags: compiled } = compileFlagDocument(
      { $schema: FLAGD_SCHEMA_URL, flags, metadata: this.setMetadata },
      { logger: this.logger, strict: this.strict },
    );
    const out = new Map<string, [FeatureFlag, FlagSource]>();
    for (const [key, flag] of compiled) {
      // flagd-core parsed these from JSON, so they are ours alone: freeze rather than copy.
      for (const value of flag.variants.values()) deepFreeze(value);
      Object.freeze(flag.metadata);
      const input = flags[key] as FlagdFlagDefinition;
      const source: FlagSource = {};
      if (input.targeting !== undefined) source.targeting = deepFreeze(jsonCopy(input.targeting));
      if (input.metadata !== undefined) source.metadata = deepFreeze(jsonCopy(input.metadata));
      out.set(key, [flag, source]);
    }
    return out;
  }
}

function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
