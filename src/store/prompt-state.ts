import { StaleWriteError } from '../common/domain/domain-error';
import type { PromptStatus } from '../registry/domain/prompt-version';
import type { PromptState, StatusChange } from './ports/prompt-store.port';

export const EMPTY_PROMPT_STATE: PromptState = Object.freeze({ revision: 0, latestVersion: 0, statuses: {}, rollout: null, kill: null });

/** @throws StaleWriteError when the slug's revision is no longer the one the caller planned against. */
export function assertRevision(slug: string, state: PromptState, expectedRevision: number): void {
  if (state.revision !== expectedRevision) {
    throw new StaleWriteError(
      `Prompt "${slug}" changed meanwhile: expected revision ${expectedRevision}, found ${state.revision}. Reload and retry.`,
      { slug, expectedRevision, revision: state.revision },
    );
  }
}

/**
 * Applies the changes in order (a version may appear twice; its second `from` is checked against its first `to`).
 * @returns the new statuses, leaving `statuses` untouched.
 * @throws StaleWriteError when a version's status is not its change's `from`.
 */
export function applyStatusChanges(
  slug: string,
  statuses: Readonly<Record<number, PromptStatus>>,
  changes: readonly StatusChange[],
): Record<number, PromptStatus> {
  const next: Record<number, PromptStatus> = { ...statuses };
  for (const change of changes) {
    const current = next[change.version];
    if (current !== change.from) {
      const found = current === undefined ? 'does not exist' : `is ${current}`;
      throw new StaleWriteError(
        `Version ${change.version} of "${slug}" ${found}, not ${change.from}. Reload and retry.`,
        { slug, version: change.version, expected: change.from, found: current ?? null },
      );
    }
    next[change.version] = change.to;
  }
  return next;
}
