import type { PromptStatus } from './prompt-version';
import { TransitionRefusedError, VersionNotFoundError } from './registry.errors';

/** One version's status change; a plan is a list of these applied atomically. */
export interface StatusChange {
  version: number;
  from: PromptStatus;
  to: PromptStatus;
}

/**
 * The lifecycle: draft → staging → prod → deprecated, and deprecated → prod to roll back.
 * Nothing returns to draft, and no status moves to itself.
 */
const TRANSITIONS: Readonly<Record<PromptStatus, readonly PromptStatus[]>> = {
  draft: ['staging'],
  staging: ['prod'],
  prod: ['deprecated'],
  deprecated: ['prod'],
};

/** The statuses a version in `from` may move to (a fresh array each call). */
export function allowedTransitions(from: PromptStatus): PromptStatus[] {
  return [...TRANSITIONS[from]];
}

/**
 * Plans moving `version` to `to`, given every version's current status. Promoting to prod also deprecates the
 * current prod version(s), so a slug never serves two prod versions. The demotions come first and the requested
 * change last, so applying the list in order keeps "at most one prod" true at every step.
 * The plan is the whole change: apply all of it atomically, or none of it.
 *
 * @throws VersionNotFoundError when `version` has no status.
 * @throws TransitionRefusedError when `to` is not allowed from the version's status (including `to === from`).
 */
export function planStatusChange(
  statuses: Readonly<Record<number, PromptStatus>>,
  version: number,
  to: PromptStatus,
): StatusChange[] {
  if (!Object.hasOwn(statuses, version)) throw new VersionNotFoundError(version);
  const from = statuses[version];
  const allowed = TRANSITIONS[from];
  if (!allowed.includes(to)) throw new TransitionRefusedError(from, to, allowed, version);

  const changes: StatusChange[] = [];
  if (to === 'prod') {
    for (const other of currentProdVersions(statuses)) {
      if (other !== version) changes.push({ version: other, from: 'prod', to: 'deprecated' });
    }
  }
  changes.push({ version, from, to });
  return changes;
}

function currentProdVersions(statuses: Readonly<Record<number, PromptStatus>>): number[] {
  return Object.keys(statuses)
    .filter((key) => statuses[Number(key)] === 'prod')
    .map(Number)
    .sort((a, b) => a - b);
}

/** The version served as prod: the newest one with status `prod`, or null while nothing is in prod. */
export function prodVersionOf(statuses: Readonly<Record<number, PromptStatus>>): number | null {
  let prod: number | null = null;
  for (const [version, status] of Object.entries(statuses)) {
    if (status === 'prod' && (prod === null || Number(version) > prod)) prod = Number(version);
  }
  return prod;
}
