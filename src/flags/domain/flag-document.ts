import type { FlagMetadata, Logger } from '@openfeature/core';
import { MemoryStorage, type FeatureFlag } from '@openfeature/flagd-core';
import { InvalidFlagDocumentError, type FlagDocumentProblem } from './flags.errors';

/** `$schema` of every document we publish: flagd's provider config (map form, what in-process providers read). */
export const FLAGD_SCHEMA_URL = 'https://flagd.dev/schema/v0/flags.json';
/** `metadata.flagSetId` of every document we publish. flagd merges it into each flag's metadata. */
export const FLAG_SET_ID = 'promptflag';

/** flagd metadata values (flag and flag-set) may only be primitives. */
export type FlagdMetadataValue = string | number | boolean;
export type FlagdMetadata = Record<string, FlagdMetadataValue>;
/** All variants of one flag share one of these types; the schema refuses arrays and null. */
export type FlagdVariantValue = boolean | string | number | object;
/** A JSON Logic rule (flagd `targeting.json`). Kept loose: flagd-core's schema check is the authority. */
export type FlagdTargeting = { [operator: string]: unknown };

/** One flag of a flagd document (`#/definitions/flag` of flags.json). */
export interface FlagdFlagDefinition {
  state: 'ENABLED' | 'DISABLED';
  variants: Record<string, FlagdVariantValue>;
  /** Omitted or null: evaluation falls back to the caller's code default. */
  defaultVariant?: string | null;
  targeting?: FlagdTargeting;
  metadata?: FlagdMetadata;
}

export type FlagdDocumentMetadata = { flagSetId: string; version: string } & FlagdMetadata;

/** A whole flagd document, as served to flagd / in-process providers (sync `flag_configuration`). */
export interface FlagdDocument {
  $schema: typeof FLAGD_SCHEMA_URL;
  flags: Record<string, FlagdFlagDefinition>;
  metadata: FlagdDocumentMetadata;
}

export function buildFlagDocument(
  flags: Record<string, FlagdFlagDefinition>,
  metadata: { version: string } & FlagdMetadata,
): FlagdDocument {
  return { $schema: FLAGD_SCHEMA_URL, flags, metadata: { ...metadata, flagSetId: FLAG_SET_ID } };
}

/**
 * Throws {@link InvalidFlagDocumentError} unless flagd-core 4.0.1 loads `doc` with strict validation: the
 * bundled, precompiled flagd `flags.json` schema plus flagd-core's own structural checks (state, default variant
 * among the variants) and a targeting rule its JSON Logic engine can compile.
 */
export function validateFlagDocument(doc: unknown): void {
  compileFlagDocument(doc);
}

export const SILENT_LOGGER: Logger = { error() {}, warn() {}, info() {}, debug() {} };

export interface CompiledFlagDocument {
  flags: Map<string, FeatureFlag>;
  metadata: FlagMetadata;
}

/**
 * Validates `doc` exactly as {@link validateFlagDocument} does and returns what flagd-core built from it (one
 * compiled {@link FeatureFlag} per key, flag-set metadata merged into each flag's metadata, as flagd does).
 *
 * `strict: false` skips the schema check, as flagd and its in-process providers do by default (they only log
 * schema errors); flagd-core's structural checks and the targeting compile check still apply.
 */
export function compileFlagDocument(
  doc: unknown,
  { logger = SILENT_LOGGER, strict = true }: { logger?: Logger; strict?: boolean } = {},
): CompiledFlagDocument {
  if (!isPlainObject(doc)) throw new InvalidFlagDocumentError([{ path: '/', message: 'must be object' }]);
  let json: string;
  try {
    json = JSON.stringify(doc);
  } catch (err) {
    throw new InvalidFlagDocumentError([{ path: '/', message: `cannot be serialised as JSON: ${errorText(err)}` }]);
  }
  const storage = new MemoryStorage(logger);
  try {
    storage.setConfigurations(json, strict);
  } catch (err) {
    throw new InvalidFlagDocumentError(describeLoadFailure(err, doc));
  }
  const problems: FlagDocumentProblem[] = [];
  for (const [key, flag] of storage.getFlags()) {
    // A targeting rule the schema accepts but json-logic-engine cannot compile is not thrown by flagd-core: the
    // flag then answers PARSE_ERROR on every evaluation, before running any targeting. Refuse it up front.
    const probe = flag.evaluate({}, logger);
    if (probe.reason === 'ERROR' && probe.errorCode === 'PARSE_ERROR') {
      problems.push({ path: `/flags/${pointerToken(key)}/targeting`, message: probe.errorMessage ?? 'invalid targeting rule' });
    }
  }
  if (problems.length > 0) throw new InvalidFlagDocumentError(problems);
  return { flags: storage.getFlags(), metadata: storage.getFlagSetMetadata() };
}

// ---------------------------------------------------------------------------------------------------------------
// Readable errors. flagd-core throws ParseError('invalid flagd flag configuration: <ajv errors as JSON>') for schema
// failures, and ParseError('invalid flagd flag configuration', {cause}) for anything else (bad JSON, a structural
// GeneralError such as a default variant missing from the variants).

const MAX_PROBLEMS = 20;
const VARIANT_TYPE_SCHEMA = /^#\/definitions\/(boolean|number|string|object)Variants\/properties\/variants\//;
const COMBINATOR_KEYWORDS = new Set(['anyOf', 'oneOf', 'not']);

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params?: Record<string, unknown>;
  message?: string;
}

function describeLoadFailure(err: unknown, doc: Record<string, unknown>): FlagDocumentProblem[] {
  const message = errorText(err);
  const jsonStart = message.indexOf('[');
  if (jsonStart >= 0) {
    try {
      const ajvErrors = JSON.parse(message.slice(jsonStart)) as AjvError[];
      if (Array.isArray(ajvErrors) && ajvErrors.length > 0) return describeSchemaErrors(ajvErrors, doc);
    } catch {
      // not the schema-error form; fall through
    }
  }
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : undefined;
  if (cause instanceof SyntaxError) return [{ path: '/', message: `not valid JSON: ${cause.message}` }];
  const structural = findStructuralProblems(doc);
  if (structural.length > 0) return structural;
  return [{ path: '/', message: cause !== undefined ? errorText(cause) : message }];
}

function describeSchemaErrors(errors: AjvError[], doc: Record<string, unknown>): FlagDocumentProblem[] {
  const problems: FlagDocumentProblem[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const id = `${path}\u0000${message}`;
    if (seen.has(id)) return;
    seen.add(id);
    problems.push({ path, message });
  };

  // Mixed or unsupported variant types produce one error per (variant × type branch); say it once per flag.
  const variantTypeFlags = new Set<string>();
  for (const e of errors) {
    if (VARIANT_TYPE_SCHEMA.test(e.schemaPath)) {
      const flagPath = e.instancePath.split('/').slice(0, 3).join('/');
      if (!variantTypeFlags.has(flagPath)) {
        variantTypeFlags.add(flagPath);
        add(`${flagPath}/variants`, describeVariantTypes(doc, flagPath));
      }
    }
  }
  const specific = errors.filter(
    (e) => !COMBINATOR_KEYWORDS.has(e.keyword) && !VARIANT_TYPE_SCHEMA.test(e.schemaPath),
  );
  for (const e of specific) {
    // Skip a flag-level error already explained by the variant-type summary (the other branches of the anyOf).
    if (variantTypeFlags.has(e.instancePath)) continue;
    add(e.instancePath || '/', ajvMessage(e));
  }
  if (problems.length === 0) {
    for (const e of errors) add(e.instancePath || '/', ajvMessage(e));
  }
  if (problems.length > MAX_PROBLEMS) {
    const more = problems.length - MAX_PROBLEMS;
    return [...problems.slice(0, MAX_PROBLEMS), { path: '/', message: `… and ${more} more schema errors` }];
  }
  return problems;
}

function ajvMessage(e: AjvError): string {
  const base = e.message ?? e.keyword;
  const params = e.params ?? {};
  if (typeof params['additionalProperty'] === 'string') return `${base}: "${params['additionalProperty']}"`;
  if (Array.isArray(params['allowedValues'])) return `${base}: ${params['allowedValues'].map(String).join(', ')}`;
  return base;
}

function describeVariantTypes(doc: Record<string, unknown>, flagPath: string): string {
  const key = unpointer(flagPath.split('/')[2] ?? '');
  const flags = isPlainObject(doc['flags']) ? doc['flags'] : {};
  const flag = flags[key];
  const variants = isPlainObject(flag) && isPlainObject(flag['variants']) ? flag['variants'] : {};
  const found = Object.entries(variants)
    .map(([name, value]) => `${name}: ${jsonType(value)}`)
    .join(', ');
  return `variant values must all have one type: boolean, number, string or object (found ${found})`;
}

function findStructuralProblems(doc: Record<string, unknown>): FlagDocumentProblem[] {
  const problems: FlagDocumentProblem[] = [];
  const flags = isPlainObject(doc['flags']) ? doc['flags'] : {};
  for (const [key, flag] of Object.entries(flags)) {
    if (!isPlainObject(flag)) continue;
    const variants = isPlainObject(flag['variants']) ? flag['variants'] : {};
    const defaultVariant = flag['defaultVariant'];
    if (typeof defaultVariant === 'string' && defaultVariant !== '' && !Object.hasOwn(variants, defaultVariant)) {
      problems.push({
        path: `/flags/${pointerToken(key)}/defaultVariant`,
        message: `"${defaultVariant}" is not one of the variants (${Object.keys(variants).join(', ')})`,
      });
    }
  }
  return problems;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unpointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
