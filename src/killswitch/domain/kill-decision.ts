import type { PromptStatus } from '../../registry/domain/prompt-version';
import type { KillState, PromptState } from '../../store/ports/prompt-store.port';
import { prodVersionOf } from '../../registry/domain/status-transitions';

/** Statuses a kill may point at: anything that was released. Drafts were never reviewed for serving, so never. */
export const KILLABLE_STATUSES: readonly PromptStatus[] = ['staging', 'prod', 'deprecated'];

/** Where the safe version came from. */
export type KillTargetSource = 'requested' | 'prod' | 'last-prod';

export type KillTarget = { ok: true; version: number; source: KillTargetSource } | { ok: false; message: string };

/**
 * The version a kill serves to everyone:
 * 1. `requested`, if that version exists and is staging, prod or deprecated (a draft is refused);
 * 2. else the current prod baseline;
 * 3. else the last version that was prod: the newest deprecated one (a version only becomes deprecated by leaving
 *    prod, so every deprecated version once served as prod; the highest-numbered one is the latest release);
 * 4. else nothing: the slug never had a release to fall back to.
 */
export function chooseKillTarget(slug: string, statuses: Readonly<Record<number, PromptStatus>>, requested?: number): KillTarget {
  if (requested !== undefined) {
    const status = statuses[requested];
    if (status === undefined) return { ok: false, message: `Prompt "${slug}" has no version ${requested}` };
    if (!KILLABLE_STATUSES.includes(status)) {
      return { ok: false, message: `Version ${requested} of "${slug}" is ${status}; a kill may only serve a ${KILLABLE_STATUSES.join(', ')} version` };
    }
    return { ok: true, version: requested, source: 'requested' };
  }
  const prod = prodVersionOf(statuses);
  if (prod !== null) return { ok: true, version: prod, source: 'prod' };
  const lastProd = lastProdVersionOf(statuses);
  if (lastProd !== null) return { ok: true, version: lastProd, source: 'last-prod' };
  return { ok: false, message: `Prompt "${slug}" has never had a prod version: there is no safe version to serve; name one with toVersion` };
}

/** The newest deprecated version (every deprecated version was prod once), or null. */
export function lastProdVersionOf(statuses: Readonly<Record<number, PromptStatus>>): number | null {
  let last: number | null = null;
  for (const [version, status] of Object.entries(statuses)) {
    if (status === 'deprecated' && (last === null || Number(version) > last)) last = Number(version);
  }
  return last;
}

export type KillPlan =
  | { kind: 'refused'; message: string }
  /** Already killed to that version: answer the current kill, write nothing. */
  | { kind: 'unchanged'; kill: KillState }
  | { kind: 'set'; toVersion: number; source: KillTargetSource; previous: KillState | null };

/** What a kill request does to the slug's current state. Idempotent: the same target while killed changes nothing. */
export function planKill(slug: string, state: Pick<PromptState, 'statuses' | 'kill'>, requested?: number): KillPlan {
  const target = chooseKillTarget(slug, state.statuses, requested);
  if (!target.ok) return { kind: 'refused', message: target.message };
  if (state.kill && state.kill.toVersion === target.version) return { kind: 'unchanged', kill: state.kill };
  return { kind: 'set', toVersion: target.version, source: target.source, previous: state.kill };
}

/**
 * The incident-wide kill of one slug: a slug already killed keeps its kill (whatever version a responder chose),
 * a slug with no prod and no former prod is skipped.
 */
export function planIncidentKill(slug: string, state: Pick<PromptState, 'statuses' | 'kill'>): KillPlan | { kind: 'skipped'; message: string } {
  if (state.kill) return { kind: 'unchanged', kill: state.kill };
  const plan = planKill(slug, state);
  return plan.kind === 'refused' ? { kind: 'skipped', message: plan.message } : plan;
}
