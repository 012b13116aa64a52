import { setTimeout as sleep } from 'node:timers/promises';
import { StaleWriteError } from '../../common/domain/domain-error';

/** Returned by an attempt whose script found the head moved: re-read and try again. */
export const CONFLICT = Symbol('conflict');

/**
 * Each lost race means another writer committed in between, so attempts are bounded by the concurrent writers;
 * this bound only trips under pathological contention.
 */
const MAX_ATTEMPTS = 200;
const MAX_BACKOFF_MS = 20;

/**
 * Optimistic check-and-set: repeats `attempt` (read the head, compute in Node, run the script) while the script
 * reports a conflict, with a small jittered backoff so racing writers spread out.
 * @throws StaleWriteError after MAX_ATTEMPTS conflicts.
 */
export async function retryOnConflict<T>(what: string, attempt: () => Promise<T | typeof CONFLICT>): Promise<T> {
  for (let n = 1; n <= MAX_ATTEMPTS; n++) {
    const result = await attempt();
    if (result !== CONFLICT) return result;
    await sleep(Math.random() * Math.min(2 ** n, MAX_BACKOFF_MS));
  }
  throw new StaleWriteError(`Could not ${what}: ${MAX_ATTEMPTS} attempts lost a race with other writers`);
}
