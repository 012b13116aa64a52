import type { PromptStatus } from '../../registry/domain/prompt-version';
import type { RolloutSpec } from './rollout';

const SERVES_TRAFFIC: ReadonlySet<PromptStatus> = new Set(['staging', 'prod']);

/**
 * The part of a stored rollout that may still be served. A version deprecated after the rollout named it stops
 * receiving traffic at once: its allocation entry and rules are dropped (its share goes to the others), and it is
 * listed in `inactive` so the experimenter sees why.
 */
export function effectiveRollout(spec: RolloutSpec, statuses: Record<number, PromptStatus>): { spec: RolloutSpec; inactive: number[] } {
  const serves = (version: number) => SERVES_TRAFFIC.has(statuses[version]);
  const inactive = new Set<number>();
  for (const { version } of [...spec.allocation, ...spec.rules]) if (!serves(version)) inactive.add(version);
  // The shadow applies only while it is staging: once prod it is the baseline, once deprecated it is gone.
  const shadowLost = spec.shadow !== undefined && statuses[spec.shadow] !== 'staging';
  if (shadowLost && !serves(spec.shadow as number)) inactive.add(spec.shadow as number);
  if (inactive.size === 0 && !shadowLost) return { spec, inactive: [] };
  const allocation = spec.allocation.filter((a) => serves(a.version));
  const effective: RolloutSpec = {
    allocation: allocation.some((a) => a.weight > 0) ? allocation : [],
    rules: spec.rules.filter((r) => serves(r.version)),
    ...(spec.bucketBy !== undefined ? { bucketBy: spec.bucketBy } : {}),
    ...(spec.shadow !== undefined && !shadowLost ? { shadow: spec.shadow } : {}),
  };
  return { spec: effective, inactive: [...inactive].sort((a, b) => a - b) };
}
