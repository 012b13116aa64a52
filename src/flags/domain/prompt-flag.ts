import type { PromptContent, PromptVersion, VariableDeclaration } from '../../registry/domain/prompt-version';
import type { Allocation, RolloutSpec, TargetingRule } from '../../rollout/domain/rollout';
import type { FlagdFlagDefinition, FlagdTargeting } from './flag-document';
import { PromptFlagBuildError } from './flags.errors';

export {
  buildFlagDocument,
  validateFlagDocument,
  FLAGD_SCHEMA_URL,
  FLAG_SET_ID,
  type FlagdDocument,
  type FlagdFlagDefinition,
} from './flag-document';

/** The part of a version a flag serves (what {@link promptFlagValue} reads). */
export type ServableVersion = Pick<PromptVersion, 'slug' | 'version' | 'template' | 'modelHint' | 'contentHash' | 'variables'>;

/**
 * The value a prompt flag's variant resolves to: everything a client needs to render that version.
 *
 * Variable declarations are flat lists of names, not one object per variable: every in-process client re-parses
 * the whole document on every sync message, and flagd-core SHA-1s each flag with object-hash, whose cost grows
 * with every object and key in a value (six declared variables as objects made a flag cost twice as much to load).
 * {@link declarationsOfValue} turns the lists back into the registry's declarations.
 */
export type PromptFlagValue = {
  slug: string;
  version: number;
  template: string;
  modelHint: string;
  contentHash: string;
  /** Variables a render must be given, in declaration order. */
  requiredVariables: string[];
  /** Variables a render may be given (a missing one renders as the empty string), in declaration order. */
  optionalVariables: string[];
  /** Present only when a declaration has a description: name → description. */
  variableDescriptions?: Record<string, string>;
};

/** Flag metadata of a prompt flag (flagd allows only primitives). `killedTo` is present only while killed. */
export type PromptFlagMetadata = {
  slug: string;
  revision: number;
  baseline: number;
  killedTo?: number;
  /** The rollout's shadow version and its variant (in `variants`): resolve it too, log it, never serve it. */
  shadowVersion?: number;
  shadowVariant?: string;
};

/** What {@link buildPromptFlag} returns: a flagd flag narrowed to our shape. */
export type PromptFlagDefinition = FlagdFlagDefinition & {
  state: 'ENABLED';
  variants: Record<string, PromptFlagValue>;
  defaultVariant: string;
  metadata: PromptFlagMetadata;
};

export interface PromptFlagInput {
  slug: string;
  /** Revision of the rollout/flag state this flag was built from (goes to metadata). */
  revision: number;
  /** The slug's prod version: the default variant, served when no rule or split applies. */
  baseline: ServableVersion;
  /** The versions the rollout names (allocation and rules). Extra versions are ignored. */
  trafficVersions: ServableVersion[];
  rollout: RolloutSpec;
  /** Kill switch: everyone gets this version, no targeting at all. */
  killedTo?: ServableVersion;
}

/** Context attribute holding flagd's flag key inside targeting (injected by flagd). */
export const FLAGD_FLAG_KEY_VAR = '$flagd.flagKey';

const VARIANT_NAME = /^v(0|[1-9][0-9]*)$/;

export function variantName(version: number): string {
  return `v${version}`;
}

/** The version a `v<version>` variant name stands for, or undefined when the name is not of that form. */
export function versionOfVariant(name: string): number | undefined {
  const m = VARIANT_NAME.exec(name);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function promptFlagValue(v: ServableVersion): PromptFlagValue {
  const value: PromptFlagValue = {
    slug: v.slug,
    version: v.version,
    template: v.template,
    modelHint: v.modelHint,
    contentHash: v.contentHash,
    requiredVariables: v.variables.filter((d) => d.required === true).map((d) => d.name),
    optionalVariables: v.variables.filter((d) => d.required !== true).map((d) => d.name),
  };
  const described = v.variables.filter((d) => d.description !== undefined);
  if (described.length > 0) value.variableDescriptions = Object.fromEntries(described.map((d) => [d.name, d.description as string]));
  return value;
}

/**
 * The declarations a value stands for: the required variables, then the optional ones, each with its description.
 * Declaration order between the two lists is not kept (nothing depends on it, and the content hash sorts by name).
 */
export function declarationsOfValue(value: Pick<PromptFlagValue, 'requiredVariables' | 'optionalVariables' | 'variableDescriptions'>): VariableDeclaration[] {
  const declare = (name: string, required: boolean): VariableDeclaration => {
    const descriptions = value.variableDescriptions;
    return descriptions !== undefined && Object.hasOwn(descriptions, name) ? { name, required, description: descriptions[name] } : { name, required };
  };
  return [...value.requiredVariables.map((name) => declare(name, true)), ...value.optionalVariables.map((name) => declare(name, false))];
}

/** What a value's `contentHash` covers: its template, its declarations and its model hint. */
export function contentOfValue(value: PromptFlagValue): PromptContent {
  return { template: value.template, variables: declarationsOfValue(value), modelHint: value.modelHint };
}

/**
 * The flagd flag serving `slug`. Rules come first and pin segments; then the weighted split in allocation order
 * (keep a ramping candidate at one end so its users stay in it as its weight grows); else the baseline.
 *
 * - no `bucketBy`: fractional shorthand, hashing `flagKey + targetingKey`;
 * - `bucketBy`: hash `flagKey + <attribute>`, but fall back to the shorthand when the attribute is missing (or
 *   empty), since `cat` with a missing attribute would put every such user into the same bucket;
 * - kill: the default variant is the kill version and there is no targeting (never `state: DISABLED`, which
 *   would make each client fall back to its own code default); the variants are the kill version and the
 *   baseline only (the rollout's versions must still be supplied, but are not published while killed).
 */
export function buildPromptFlag(input: PromptFlagInput): PromptFlagDefinition {
  const { slug, revision, baseline, rollout, killedTo } = input;
  const supplied = new Map<number, ServableVersion>();
  for (const v of [baseline, ...(killedTo ? [killedTo] : []), ...input.trafficVersions]) {
    if (v.slug !== slug) {
      throw new PromptFlagBuildError(`Version ${v.version} belongs to "${v.slug}", not to "${slug}"`);
    }
    const known = supplied.get(v.version);
    if (known === undefined) supplied.set(v.version, v);
    else if (known.contentHash !== v.contentHash) {
      throw new PromptFlagBuildError(`Two different bodies were supplied for version ${v.version} of "${slug}"`);
    }
  }

  const named = new Set<number>([baseline.version]);
  if (killedTo) named.add(killedTo.version);
  for (const a of rollout.allocation) named.add(a.version);
  for (const r of rollout.rules) named.add(r.version);
  // While killed only the kill version serves: no shadow either.
  const shadow = killedTo === undefined ? rollout.shadow : undefined;
  if (shadow !== undefined) named.add(shadow);
  // While killed the flag carries only the kill version and the baseline (`metadata.baseline` names a variant): every
  // variant costs each in-process client a re-parse on every sync message (flagd-core SHA-1s every flag with
  // object-hash, about 7 µs per object in a value), and no rollout version can be served. They are still checked.
  const published = killedTo ? new Set([baseline.version, killedTo.version]) : named;

  const variants: Record<string, PromptFlagValue> = {};
  for (const n of [...named].sort((a, b) => a - b)) {
    const v = supplied.get(n);
    if (v === undefined) {
      throw new PromptFlagBuildError(`The rollout of "${slug}" names version ${n}, which was not supplied`);
    }
    if (published.has(n)) variants[variantName(n)] = promptFlagValue(v);
  }

  const metadata: PromptFlagMetadata = { slug, revision, baseline: baseline.version };
  if (killedTo) {
    metadata.killedTo = killedTo.version;
    return { state: 'ENABLED', variants, defaultVariant: variantName(killedTo.version), metadata };
  }
  if (shadow !== undefined) {
    metadata.shadowVersion = shadow;
    metadata.shadowVariant = variantName(shadow);
  }
  const flag: PromptFlagDefinition = {
    state: 'ENABLED',
    variants,
    defaultVariant: variantName(baseline.version),
    metadata,
  };
  const targeting = buildTargeting(rollout);
  if (targeting !== undefined) flag.targeting = targeting;
  return flag;
}

/** The JSON Logic of a rollout; undefined when nothing targets (empty allocation and no rules). */
export function buildTargeting(rollout: RolloutSpec): FlagdTargeting | undefined {
  const split = rollout.allocation.length > 0 ? buildSplit(rollout.allocation, rollout.bucketBy) : null;
  if (rollout.rules.length === 0) return split ?? undefined;
  const args: unknown[] = [];
  for (const rule of rollout.rules) args.push(ruleCondition(rule), variantName(rule.version));
  args.push(split);
  return { if: args };
}

function ruleCondition(rule: TargetingRule): FlagdTargeting {
  return {
    and: Object.entries(rule.match).map(([attribute, values]) => ({ in: [{ var: attribute }, [...values]] })),
  };
}

function buildSplit(allocation: Allocation[], bucketBy: string | undefined): FlagdTargeting {
  const buckets = () => allocation.map((a) => [variantName(a.version), a.weight]);
  const shorthand = { fractional: buckets() };
  if (bucketBy === undefined) return shorthand;
  const byAttribute = {
    fractional: [{ cat: [{ var: FLAGD_FLAG_KEY_VAR }, { var: bucketBy }] }, ...buckets()],
  };
  return { if: [{ var: bucketBy }, byAttribute, shorthand] };
}
