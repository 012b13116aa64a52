import fc from 'fast-check';
import type { PromptStatus } from '../../registry/domain/prompt-version';
import type { KillState } from '../../store/ports/prompt-store.port';
import { chooseKillTarget, lastProdVersionOf, planIncidentKill, planKill } from './kill-decision';

const killedTo = (toVersion: number): KillState => ({ toVersion, reason: 'r', at: '2025-01-01T00:00:00.000Z', actor: 'a', auditId: 's:9' });

describe(chooseKillTarget.name, () => {
  const statuses: Record<number, PromptStatus> = { 1: 'deprecated', 2: 'deprecated', 3: 'prod', 4: 'staging', 5: 'draft' };

  it.each([
    ['no request: the prod baseline', statuses, undefined, { ok: true, version: 3, source: 'prod' }],
    ['a staging version', statuses, 4, { ok: true, version: 4, source: 'requested' }],
    ['a deprecated version', statuses, 1, { ok: true, version: 1, source: 'requested' }],
    ['the prod version', statuses, 3, { ok: true, version: 3, source: 'requested' }],
    ['no prod: the newest deprecated', { 1: 'deprecated', 2: 'deprecated', 3: 'staging' }, undefined, { ok: true, version: 2, source: 'last-prod' }],
  ] as const)('chooses %s', (_name, given, requested, expected) => {
    expect(chooseKillTarget('s', given, requested)).toEqual(expected);
  });

  it.each([
    ['a draft', statuses, 5, /is draft/],
    ['a missing version', statuses, 9, /no version 9/],
    ['nothing when no version was ever prod', { 1: 'draft', 2: 'staging' }, undefined, /never had a prod version/],
    ['nothing for an empty slug', {}, undefined, /never had a prod version/],
  ] as const)('refuses %s', (_name, given, requested, message) => {
    const target = chooseKillTarget('s', given, requested);
    expect(target.ok).toBe(false);
    if (!target.ok) expect(target.message).toMatch(message);
  });

  it('never picks a draft, and picks something whenever a prod or deprecated version exists', () => {
    const status = fc.constantFrom<PromptStatus>('draft', 'staging', 'prod', 'deprecated');
    fc.assert(
      fc.property(fc.dictionary(fc.integer({ min: 1, max: 50 }).map(String), status), (raw) => {
        const given: Record<number, PromptStatus> = Object.fromEntries(Object.entries(raw));
        const target = chooseKillTarget('s', given);
        const released = Object.values(given).some((s) => s === 'prod' || s === 'deprecated');
        expect(target.ok).toBe(released);
        if (target.ok) expect(['prod', 'deprecated']).toContain(given[target.version]);
      }),
    );
  });
});

describe(lastProdVersionOf.name, () => {
  it('is the highest-numbered deprecated version', () => {
    expect(lastProdVersionOf({ 1: 'deprecated', 7: 'deprecated', 3: 'deprecated', 9: 'staging' })).toBe(7);
    expect(lastProdVersionOf({ 1: 'draft' })).toBeNull();
  });
});

describe(planKill.name, () => {
  const statuses: Record<number, PromptStatus> = { 1: 'deprecated', 2: 'prod' };

  it('sets a kill when not killed', () => {
    expect(planKill('s', { statuses, kill: null })).toEqual({ kind: 'set', toVersion: 2, source: 'prod', previous: null });
  });

  it('changes nothing when already killed to the same version', () => {
    expect(planKill('s', { statuses, kill: killedTo(2) })).toEqual({ kind: 'unchanged', kill: killedTo(2) });
    expect(planKill('s', { statuses, kill: killedTo(1) }, 1)).toEqual({ kind: 'unchanged', kill: killedTo(1) });
  });

  it('re-points a kill to another version', () => {
    expect(planKill('s', { statuses, kill: killedTo(2) }, 1)).toEqual({ kind: 'set', toVersion: 1, source: 'requested', previous: killedTo(2) });
  });

  it('refuses even while killed when the target is unusable', () => {
    expect(planKill('s', { statuses: { ...statuses, 3: 'draft' }, kill: killedTo(2) }, 3)).toMatchObject({ kind: 'refused' });
  });
});

describe(planIncidentKill.name, () => {
  it('keeps an existing kill, skips slugs with nothing to fall back to, kills the rest', () => {
    expect(planIncidentKill('s', { statuses: { 1: 'prod', 2: 'deprecated' }, kill: killedTo(2) })).toEqual({ kind: 'unchanged', kill: killedTo(2) });
    expect(planIncidentKill('s', { statuses: { 1: 'draft' }, kill: null })).toMatchObject({ kind: 'skipped' });
    expect(planIncidentKill('s', { statuses: { 1: 'deprecated' }, kill: null })).toMatchObject({ kind: 'set', toVersion: 1, source: 'last-prod' });
  });
});
