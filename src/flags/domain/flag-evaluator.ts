import { createHash } from 'node:crypto';
import type { ErrorCode, EvaluationContext, FlagMetadata, JsonValue, Logger, ResolutionReason } from '@openfeature/core';
import type { FeatureFlag } from '@openfeature/flagd-core';
import { canonicalSha256 } from '../../common/domain/canonical-hash';
import {
  compileFlagDocument,
  FLAG_SET_ID,
  FLAGD_SCHEMA_URL,
  isPlainObject,
  SILENT_LOGGER,
  type FlagdDocument,
  type FlagdFlagDefinition,
  type FlagdMetadata,
  type FlagdVariantValue,
} from './flag-document';
import { FrozenJsonInterner } from './frozen-json';
import { SharedTargetingRules, type SharedRule } from './shared-targeting';

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

/** What we keep per flag: flagd-core's FeatureFlag for evaluation, our own copy of everything else. */
interface StoredFlag {
  /** Compiled from {@link forEvaluation}: evaluation only needs the variant names. */
  readonly compiled: FeatureFlag;
  /** The flag as it was set, frozen, for the exported document; its `variants` hold the real values. */
  readonly definition: FlagdFlagDefinition;
  /** SHA-256 of the definition's canonical JSON: versions the exported document. */
  readonly contentHash: string;
  readonly rule: SharedRule | undefined;
}

/**
 * Evaluates flagd flags with flagd-core itself (the engine of flagd's in-process providers), one compiled
 * {@link FeatureFlag} per key: setting one flag validates and compiles only that flag.
 *
 * flagd-core only needs the variant names to evaluate, so the FeatureFlag it compiles carries type-preserving
 * stand-ins instead of the values (a prompt version's template would otherwise be held twice); the variant it
 * picks is looked up in our own frozen copy. Identical targeting rules share one compiled flagd-core Targeting.
 *
 * Accepts any flagd flag that passes validation (prompt flags, but also e.g. the testbed's string flags). Variant values are deep-frozen and returned by reference; treat results as read-only.
 * Flag metadata is the flag's own merged over `{flagSetId}` (as flagd merges flag-set metadata), without the
 * document `version`, which changes with every flag.
 */
export class PromptFlagEvaluator {
  private readonly flags = new Map<string, StoredFlag>();
  private readonly rules = new SharedTargetingRules();
  private readonly interner = new FrozenJsonInterner();
  private readonly setMetadata: FlagdMetadata = { flagSetId: FLAG_SET_ID };
  private readonly logger: Logger;
  private readonly strict: boolean;
  private cachedDocument: FlagdDocument | undefined;

  constructor(options: PromptFlagEvaluatorOptions = {}) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.strict = (options.validation ?? 'strict') === 'strict';
  }

  get size(): number {
    return this.flags.size;
  }

  /** Distinct targeting rules in use (each compiled once by flagd-core). */
  get distinctRules(): number {
    return this.rules.size;
  }

  has(key: string): boolean {
    return this.flags.has(key);
  }

  keys(): IterableIterator<string> {
    return this.flags.keys();
  }

  /**
   * Validates `flag` (by default flagd-core's strict schema validation, as {@link validateFlagDocument}) and
   * replaces the flag under `key`. On an invalid flag throws `InvalidFlagDocumentError` and keeps the previous one.
   */
  set(key: string, flag: FlagdFlagDefinition): void {
    const stored = this.compile({ [key]: flag }).get(key) as StoredFlag;
    this.release(this.flags.get(key));
    this.flags.set(key, stored);
    this.cachedDocument = undefined;
  }

  /** Replaces every flag at once; all-or-nothing (throws and keeps the current flags if any flag is invalid). */
  replaceAll(flags: Record<string, FlagdFlagDefinition>): void {
    const next = this.compile(flags);
    for (const stored of this.flags.values()) this.release(stored);
    this.flags.clear();
    for (const [key, stored] of next) this.flags.set(key, stored);
    this.cachedDocument = undefined;
  }

  delete(key: string): boolean {
    const stored = this.flags.get(key);
    if (stored === undefined) return false;
    this.release(stored);
    this.flags.delete(key);
    this.cachedDocument = undefined;
    return true;
  }

  /** The value of one variant of a flag (e.g. a prompt flag's shadow), or undefined. Read-only. */
  variantValue(key: string, variant: string): unknown {
    const variants = this.flags.get(key)?.definition.variants;
    return variants !== undefined && Object.hasOwn(variants, variant) ? variants[variant] : undefined;
  }

  /** Hot path: one map lookup and flagd-core's evaluation; the result is flagd-core's own object, with our value. */
  evaluate(key: string, context: EvaluationContext): FlagEvaluation {
    const stored = this.flags.get(key);
    if (stored === undefined) return { errorCode: 'FLAG_NOT_FOUND', message: `flag '${key}' not found` };
    const flag = stored.compiled;
    if (flag.state === 'DISABLED') return { reason: 'DISABLED', flagMetadata: flag.metadata };
    const r = flag.evaluate(context, this.logger);
    if (r.errorCode !== undefined) {
      return { errorCode: r.errorCode, message: r.errorMessage ?? '', flagMetadata: r.flagMetadata };
    }
    // flagd-core only answers variants it holds, and it holds exactly the names of `definition.variants`.
    if (r.variant !== undefined) r.value = stored.definition.variants[r.variant] as JsonValue;
    return r as FlagResolution | FlagCodeDefault;
  }

  /**
   * The flagd document of all current flags, keys sorted. `metadata.version` defaults to a hash of the flags'
   * contents (stable across processes holding the same flags, so usable as an ETag). Frozen and cached until the
   * next change; variant values are shared with the evaluator, not copied.
   */
  exportDocument(version?: string): FlagdDocument {
    if (version === undefined && this.cachedDocument !== undefined) return this.cachedDocument;
    const keys = [...this.flags.keys()].sort();
    const flags: Record<string, FlagdFlagDefinition> = {};
    const hash = createHash('sha256');
    for (const key of keys) {
      const stored = this.flags.get(key) as StoredFlag;
      hash.update(`${key}\u0000${stored.contentHash}\u0000`);
      flags[key] = stored.definition;
    }
    const doc: FlagdDocument = Object.freeze({
      $schema: FLAGD_SCHEMA_URL,
      flags: Object.freeze(flags),
      metadata: Object.freeze({ flagSetId: FLAG_SET_ID, version: version ?? hash.digest('hex') }),
    });
    if (version === undefined) this.cachedDocument = doc;
    return doc;
  }

  private compile(flags: Record<string, FlagdFlagDefinition>): Map<string, StoredFlag> {
    const ruleTexts = new Map<string, string>();
    const standIns: Record<string, FlagdFlagDefinition> = {};
    for (const [key, flag] of Object.entries(flags)) {
      const ruleText = isPlainObject(flag) && flag.targeting !== undefined ? JSON.stringify(flag.targeting) : undefined;
      if (ruleText !== undefined) ruleTexts.set(key, ruleText);
      standIns[key] = forEvaluation(flag, ruleText !== undefined && this.rules.isCompiled(ruleText));
    }
    const { flags: compiled } = compileFlagDocument(
      { $schema: FLAGD_SCHEMA_URL, flags: standIns, metadata: this.setMetadata },
      { logger: this.logger, strict: this.strict },
    );
    const out = new Map<string, StoredFlag>();
    for (const [key, flag] of compiled) {
      Object.freeze(flag.metadata);
      out.set(key, this.store(flags[key] as FlagdFlagDefinition, flag, ruleTexts.get(key)));
    }
    return out;
  }

  private store(input: FlagdFlagDefinition, compiled: FeatureFlag, ruleText: string | undefined): StoredFlag {
    const variants = Object.fromEntries(Object.entries(input.variants).map(([name, value]) => [name, this.interner.copy(value)]));
    const definition: FlagdFlagDefinition = { state: input.state, variants: Object.freeze(variants) };
    if (compiled.defaultVariant !== undefined) definition.defaultVariant = compiled.defaultVariant;
    const rule = ruleText === undefined ? undefined : this.rules.acquire(ruleText, compiled);
    if (rule !== undefined) definition.targeting = rule.rule;
    // Object.assign, not a spread: a spread's copy gets a hidden class of its own (one per flag, kept with it).
    if (input.metadata !== undefined) definition.metadata = Object.freeze(Object.assign({}, input.metadata));
    Object.freeze(definition);
    return { compiled, definition, contentHash: canonicalSha256(definition), rule };
  }

  private release(stored: StoredFlag | undefined): void {
    if (stored?.rule !== undefined) this.rules.release(stored.rule);
  }
}

/**
 * The flag flagd-core compiles: every object value replaced by `{}` (the same JSON types, so the same schema
 * verdict), and without a targeting rule that is already compiled (the same text was validated then).
 */
function forEvaluation(flag: FlagdFlagDefinition, ruleCompiled: boolean): FlagdFlagDefinition {
  if (!isPlainObject(flag) || !isPlainObject(flag.variants)) return flag;
  const variants = Object.fromEntries(Object.entries(flag.variants).map(([name, value]) => [name, standInValue(value)]));
  if (!ruleCompiled) return { ...flag, variants };
  const { targeting: _compiled, ...rest } = flag;
  return { ...rest, variants };
}

function standInValue(value: FlagdVariantValue): FlagdVariantValue {
  return isPlainObject(value) ? STAND_IN_OBJECT : value;
}

const STAND_IN_OBJECT = Object.freeze({});
