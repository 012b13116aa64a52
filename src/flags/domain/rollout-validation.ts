import type { PromptStatus } from '../../registry/domain/prompt-version';
import type { Allocation, RolloutSpec } from '../../rollout/domain/rollout';

/** One thing wrong with a rollout, addressed by its field path (e.g. `allocation[1].version`). */
export interface RolloutProblem {
  field: string;
  message: string;
}

/** Only these statuses may receive traffic (allocation or rules). */
export const TRAFFIC_STATUSES: readonly PromptStatus[] = ['staging', 'prod'];
/** flagd `fractional` refuses a weight sum above int32 max. Weights are relative, so 1:9,999 is 0.01%. */
export const MAX_TOTAL_WEIGHT = 2_147_483_647;
export const MAX_RULE_VALUES = 1_000;
/** Context attribute names usable in rules and as `bucketBy` (dots address nested attributes). */
export const ATTRIBUTE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Every problem with `spec`, given the status of each existing version of the slug (`statuses[version]`);
 * an empty list means it is valid. Checks what flagd would silently mishandle (weights), what we must never
 * serve (draft or deprecated versions) and what would make the published document ambiguous.
 */
export function validateRolloutSpec(spec: RolloutSpec, statuses: Record<number, PromptStatus>): RolloutProblem[] {
  const problems: RolloutProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const checkVersion = (field: string, version: unknown) => {
    if (typeof version !== 'number' || !Number.isSafeInteger(version)) {
      add(field, 'must be an integer version number');
      return;
    }
    const status = Object.hasOwn(statuses, version) ? statuses[version] : undefined;
    if (status === undefined) add(field, `version ${version} does not exist`);
    else if (!TRAFFIC_STATUSES.includes(status)) {
      add(field, `version ${version} is ${status}; only staging and prod versions may receive traffic`);
    }
  };

  if (!Array.isArray(spec.allocation)) add('allocation', 'must be a list');
  else {
    const firstIndex = new Map<number, number>();
    let total = 0;
    spec.allocation.forEach((a, i) => {
      checkVersion(`allocation[${i}].version`, a?.version);
      if (typeof a?.version === 'number') {
        const first = firstIndex.get(a.version);
        if (first !== undefined) {
          add(`allocation[${i}].version`, `version ${a.version} is already allocated at allocation[${first}]`);
        } else firstIndex.set(a.version, i);
      }
      const w = a?.weight;
      if (typeof w !== 'number' || !Number.isSafeInteger(w) || w < 0) {
        add(`allocation[${i}].weight`, 'must be a non-negative integer (weights are relative: 1 and 9999 give 0.01%)');
      } else total += w;
    });
    if (total > MAX_TOTAL_WEIGHT) {
      add('allocation', `weights sum to ${total}; the maximum is ${MAX_TOTAL_WEIGHT} (scale them down)`);
    } else if (spec.allocation.length > 0 && total === 0 && problems.every((p) => !p.field.endsWith('.weight'))) {
      add('allocation', 'weights sum to 0; give at least one version a positive weight, or clear the allocation');
    }
  }

  if (!Array.isArray(spec.rules)) add('rules', 'must be a list');
  else {
    spec.rules.forEach((rule, i) => {
      checkVersion(`rules[${i}].version`, rule?.version);
      const match = rule?.match;
      if (typeof match !== 'object' || match === null || Array.isArray(match)) {
        add(`rules[${i}].match`, 'must map attribute names to lists of values');
        return;
      }
      const attributes = Object.keys(match);
      if (attributes.length === 0) add(`rules[${i}].match`, 'must name at least one attribute');
      for (const attribute of attributes) {
        const field = `rules[${i}].match.${attribute}`;
        const nameProblem = attributeNameProblem(attribute);
        if (nameProblem !== undefined) add(field, nameProblem);
        const values: unknown = match[attribute];
        if (!Array.isArray(values) || values.length === 0) {
          add(field, 'must be a non-empty list of values');
          continue;
        }
        if (values.length > MAX_RULE_VALUES) add(field, `has ${values.length} values; at most ${MAX_RULE_VALUES}`);
        values.forEach((v, j) => {
          if (typeof v !== 'string' || v.length === 0) add(`${field}[${j}]`, 'must be a non-empty string');
        });
      }
    });
  }

  if (spec.bucketBy !== undefined) {
    if (typeof spec.bucketBy !== 'string') add('bucketBy', 'must be an attribute name');
    else if (spec.bucketBy === 'targetingKey') {
      add('bucketBy', 'omit bucketBy to bucket on the targeting key (the default)');
    } else {
      const nameProblem = attributeNameProblem(spec.bucketBy);
      if (nameProblem !== undefined) add('bucketBy', nameProblem);
    }
  }
  return problems;
}

function attributeNameProblem(name: string): string | undefined {
  if (name.startsWith('$flagd')) return `"${name}" is reserved by flagd`;
  if (!ATTRIBUTE_NAME_PATTERN.test(name)) {
    return `"${name}" is not a valid attribute name (letters, digits, "_", "." and "-"; not starting with a digit)`;
  }
  return undefined;
}

export interface VersionShare {
  version: number;
  /** Expected fraction of bucketed traffic, 0..1 (flagd clamps negative weights to 0). */
  share: number;
}

/** Expected traffic share of each allocated version, for sample-ratio-mismatch checks. All 0 when weights sum to 0. */
export function sharesFromAllocation(allocation: Allocation[]): VersionShare[] {
  const weights = allocation.map((a) => Math.max(0, a.weight));
  const total = weights.reduce((s, w) => s + w, 0);
  return allocation.map((a, i) => ({ version: a.version, share: total > 0 ? weights[i] / total : 0 }));
}
