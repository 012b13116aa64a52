import type { Allocation, RolloutSpec, TargetingRule } from '../../rollout/domain/rollout';
import { isPlainObject } from './flag-document';
import { PromptFlagParseError } from './flags.errors';
import { FLAGD_FLAG_KEY_VAR, versionOfVariant, type PromptFlagValue } from './prompt-flag';

export interface ParsedPromptFlag {
  /** Rule names are not part of the flagd document, so parsed rules carry none. */
  rollout: RolloutSpec;
  /** Value of the baseline (prod) version: the default variant, or `metadata.baseline` while killed. */
  baselineVersionValue: PromptFlagValue;
  /** Every variant's value, by ascending version. */
  variantValues: PromptFlagValue[];
  /** `metadata.revision` when present. */
  revision?: number;
  /** Set when the flag is killed: everyone gets this version. */
  killedTo?: number;
}

const FLAG_KEYS = new Set(['state', 'variants', 'defaultVariant', 'targeting', 'metadata']);
const VALUE_KEYS = new Set(['slug', 'version', 'template', 'modelHint', 'contentHash', 'requiredVariables', 'optionalVariables', 'variableDescriptions']);

/**
 * The inverse of `buildPromptFlag`, for GitOps import: reads back the rollout and the version bodies of a flag in
 * exactly our shape, and refuses anything else with a {@link PromptFlagParseError} naming the flag and the problem.
 * It does not check statuses or weights against the registry: run `validateRolloutSpec` on the result.
 */
export function parsePromptFlag(key: string, flag: unknown): ParsedPromptFlag {
  const fail = (reason: string): never => {
    throw new PromptFlagParseError(key, reason);
  };
  if (!isPlainObject(flag)) return fail('the flag must be an object');
  for (const k of Object.keys(flag)) if (!FLAG_KEYS.has(k)) fail(`unexpected property "${k}"`);
  if (flag['state'] !== 'ENABLED') fail('state must be "ENABLED" (a kill is published as a default variant)');

  const variants = flag['variants'];
  if (!isPlainObject(variants) || Object.keys(variants).length === 0) return fail('variants must be a non-empty object');
  const values = new Map<string, PromptFlagValue>();
  for (const [name, value] of Object.entries(variants)) {
    const version = versionOfVariant(name);
    if (version === undefined) fail(`variant "${name}" is not named v<version>`);
    values.set(name, parseValue(key, name, version as number, value));
  }

  const defaultVariant = flag['defaultVariant'];
  if (typeof defaultVariant !== 'string' || !values.has(defaultVariant)) {
    fail('defaultVariant must name one of the variants');
  }
  const defaultVersion = versionOfVariant(defaultVariant as string) as number;

  const metadata = flag['metadata'];
  let revision: number | undefined;
  let baselineVersion = defaultVersion;
  let killedTo: number | undefined;
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) return fail('metadata must be an object');
    if (metadata['slug'] !== undefined && metadata['slug'] !== key) fail(`metadata.slug must be "${key}"`);
    if (metadata['revision'] !== undefined) {
      if (!isNonNegativeInteger(metadata['revision'])) fail('metadata.revision must be a non-negative integer');
      revision = metadata['revision'] as number;
    }
    const baseline = metadata['baseline'];
    if (baseline !== undefined && (!isNonNegativeInteger(baseline) || !values.has(`v${baseline}`))) {
      fail('metadata.baseline must be the version of one of the variants');
    }
    if (metadata['killedTo'] !== undefined) {
      if (metadata['killedTo'] !== defaultVersion) fail('metadata.killedTo must be the default variant\'s version');
      if (baseline === undefined) fail('a killed flag must name its metadata.baseline');
      if (flag['targeting'] !== undefined) fail('a killed flag has no targeting');
      killedTo = defaultVersion;
      baselineVersion = baseline as number;
    } else if (baseline !== undefined && baseline !== defaultVersion) {
      fail(`metadata.baseline (${String(baseline)}) differs from the default variant (${defaultVariant as string})`);
    }
  }

  const rollout =
    flag['targeting'] === undefined ? { allocation: [], rules: [] } : parseTargeting(flag['targeting'], values, fail);

  const result: ParsedPromptFlag = {
    rollout,
    baselineVersionValue: values.get(`v${baselineVersion}`) as PromptFlagValue,
    variantValues: [...values.values()].sort((a, b) => a.version - b.version),
  };
  if (revision !== undefined) result.revision = revision;
  if (killedTo !== undefined) result.killedTo = killedTo;
  return result;
}

type Fail = (reason: string) => never;

function parseTargeting(targeting: unknown, variants: Map<string, PromptFlagValue>, fail: Fail): RolloutSpec {
  if (isSplit(targeting)) return { rules: [], ...parseSplit(targeting, variants, fail) };
  const args = operatorArgs(targeting, 'if');
  if (args === undefined || args.length < 3 || args.length % 2 === 0) {
    return fail('targeting must be a fractional split, or {"if": [rule, "v<n>", …, split or null]}');
  }
  const rules: TargetingRule[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    const version = variantVersion(args[i + 1], variants, fail, `rule ${i / 2}`);
    rules.push({ match: parseCondition(args[i], fail, i / 2), version });
  }
  const tail = args[args.length - 1];
  if (tail === null) return { allocation: [], rules };
  if (!isSplit(tail)) return fail('the last argument of the rules "if" must be the split or null');
  return { rules, ...parseSplit(tail, variants, fail) };
}

function parseCondition(cond: unknown, fail: Fail, index: number): Record<string, string[]> {
  const where = `rule ${index}`;
  const clauses = operatorArgs(cond, 'and');
  if (clauses === undefined || clauses.length === 0) {
    return fail(`${where} must be {"and": [{"in": [{"var": attribute}, [values…]]}, …]}`);
  }
  const match: Record<string, string[]> = {};
  for (const clause of clauses) {
    const inArgs = operatorArgs(clause, 'in');
    const attribute = inArgs?.length === 2 ? varName(inArgs[0]) : undefined;
    const list = inArgs?.[1];
    if (attribute === undefined || !Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
      return fail(`${where}: each clause must be {"in": [{"var": attribute}, [string values…]]}`);
    }
    if (Object.hasOwn(match, attribute)) fail(`${where} names attribute "${attribute}" twice`);
    match[attribute] = [...(list as string[])];
  }
  return match;
}

function isSplit(x: unknown): boolean {
  return operatorArgs(x, 'fractional') !== undefined || isGuardedSplit(x);
}

/** `{"if": [{"var": A}, {"fractional": [{"cat": [flagKey, {"var": A}]}, …]}, {"fractional": […]}]}` */
function isGuardedSplit(x: unknown): boolean {
  const args = operatorArgs(x, 'if');
  return args?.length === 3 && varName(args[0]) !== undefined && operatorArgs(args[1], 'fractional') !== undefined;
}

function parseSplit(
  split: unknown,
  variants: Map<string, PromptFlagValue>,
  fail: Fail,
): { allocation: Allocation[]; bucketBy?: string } {
  const plain = operatorArgs(split, 'fractional');
  if (plain !== undefined) {
    if (plain.length > 0 && !Array.isArray(plain[0])) {
      fail('a split must bucket on the targeting key (shorthand) or use the guarded bucketBy form');
    }
    return { allocation: parseBuckets(plain, variants, fail) };
  }
  const [guard, byAttribute, fallback] = operatorArgs(split, 'if') as unknown[];
  const bucketBy = varName(guard) as string;
  const attributeArgs = operatorArgs(byAttribute, 'fractional') as unknown[];
  const fallbackArgs = operatorArgs(fallback, 'fractional');
  const seed = operatorArgs(attributeArgs[0], 'cat');
  if (seed?.length !== 2 || varName(seed[0]) !== FLAGD_FLAG_KEY_VAR || varName(seed[1]) !== bucketBy) {
    fail(`the bucketBy split must hash {"cat": [{"var": "${FLAGD_FLAG_KEY_VAR}"}, {"var": "${bucketBy}"}]}`);
  }
  if (fallbackArgs === undefined || (fallbackArgs.length > 0 && !Array.isArray(fallbackArgs[0]))) {
    return fail(`the bucketBy split must fall back to the targeting-key shorthand when "${bucketBy}" is missing`);
  }
  const allocation = parseBuckets(attributeArgs.slice(1), variants, fail);
  if (JSON.stringify(parseBuckets(fallbackArgs, variants, fail)) !== JSON.stringify(allocation)) {
    fail('the bucketBy split and its targeting-key fallback must list the same variants and weights');
  }
  return { allocation, bucketBy };
}

function parseBuckets(buckets: unknown[], variants: Map<string, PromptFlagValue>, fail: Fail): Allocation[] {
  if (buckets.length === 0) fail('a split needs at least one [variant, weight]');
  const seen = new Set<number>();
  return buckets.map((b, i) => {
    if (!Array.isArray(b) || b.length !== 2 || !isNonNegativeInteger(b[1])) {
      return fail(`split entry ${i} must be ["v<n>", weight] with a non-negative integer weight`);
    }
    const version = variantVersion(b[0], variants, fail, `split entry ${i}`);
    if (seen.has(version)) fail(`split names v${version} twice`);
    seen.add(version);
    return { version, weight: b[1] as number };
  });
}

function variantVersion(x: unknown, variants: Map<string, PromptFlagValue>, fail: Fail, where: string): number {
  if (typeof x !== 'string' || !variants.has(x)) return fail(`${where} must name one of the variants`);
  return versionOfVariant(x) as number;
}

function parseValue(key: string, name: string, version: number, value: unknown): PromptFlagValue {
  const fail = (what: string): never => {
    throw new PromptFlagParseError(key, `variant "${name}": ${what}`);
  };
  if (!isPlainObject(value)) return fail('value must be an object');
  for (const k of Object.keys(value)) {
    if (k === 'variables') fail('unexpected property "variables": a flag value lists its variables by name in requiredVariables and optionalVariables');
    if (!VALUE_KEYS.has(k)) fail(`unexpected property "${k}"`);
  }
  if (value['slug'] !== key) fail(`slug must be "${key}"`);
  if (value['version'] !== version) fail(`version must be ${version}`);
  for (const k of ['template', 'modelHint', 'contentHash'] as const) {
    if (typeof value[k] !== 'string') fail(`${k} must be a string`);
  }
  const declared = new Set<string>();
  const names = (k: 'requiredVariables' | 'optionalVariables'): string[] => {
    const list = value[k];
    if (!Array.isArray(list)) return fail(`${k} must be an array of variable names`);
    list.forEach((n, i) => {
      if (typeof n !== 'string') fail(`${k}[${i}] must be a string`);
      if (declared.has(n as string)) fail(`variable "${n as string}" is declared twice`);
      declared.add(n as string);
    });
    return [...(list as string[])];
  };
  const parsed: PromptFlagValue = {
    slug: key,
    version,
    template: value['template'] as string,
    modelHint: value['modelHint'] as string,
    contentHash: value['contentHash'] as string,
    requiredVariables: names('requiredVariables'),
    optionalVariables: names('optionalVariables'),
  };
  const descriptions = value['variableDescriptions'];
  if (descriptions !== undefined) {
    if (!isPlainObject(descriptions)) return fail('variableDescriptions must be an object of variable name → description');
    for (const [n, text] of Object.entries(descriptions)) {
      if (!declared.has(n)) fail(`variableDescriptions names "${n}", which is not a declared variable`);
      if (typeof text !== 'string') fail(`variableDescriptions["${n}"] must be a string`);
    }
    parsed.variableDescriptions = { ...(descriptions as Record<string, string>) };
  }
  return parsed;
}

/** The arguments of `{op: [...]}` (an object with that single key and an array value), else undefined. */
function operatorArgs(x: unknown, op: string): unknown[] | undefined {
  if (!isPlainObject(x)) return undefined;
  const keys = Object.keys(x);
  if (keys.length !== 1 || keys[0] !== op) return undefined;
  const args = x[op];
  return Array.isArray(args) ? args : undefined;
}

/** The attribute of `{"var": "name"}`, else undefined. */
function varName(x: unknown): string | undefined {
  if (!isPlainObject(x)) return undefined;
  const keys = Object.keys(x);
  return keys.length === 1 && keys[0] === 'var' && typeof x['var'] === 'string' ? x['var'] : undefined;
}

function isNonNegativeInteger(x: unknown): boolean {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
