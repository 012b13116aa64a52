import { randomUUID } from 'node:crypto';
import { verifyAuditChain } from '../../src/audit/domain/audit-chain';
import { type AuditDraft, type AuditEntry, SYSTEM_CHAIN } from '../../src/audit/domain/audit-entry';
import type { Role } from '../../src/auth/domain/roles';
import { ConflictError, StaleWriteError, UnprocessableError } from '../../src/common/domain/domain-error';
import { contentHash } from '../../src/registry/domain/content-hash';
import type { PromptVersion } from '../../src/registry/domain/prompt-version';
import { type ApiKeyRecord, BOOTSTRAP_KEY_ID } from '../../src/store/ports/api-key-store.port';
import type { ChangeEvent } from '../../src/store/ports/change-feed.port';
import type { NewPromptVersion } from '../../src/store/ports/prompt-store.port';
import type { StoreSet } from '../../src/store/store-set';

/** One adapter under test, over fresh, empty data. */
export interface StoreFixture {
  stores: StoreSet;
  /** A second, independent instance (own connections) over the same data, where the adapter supports one. */
  peer?: StoreSet;
  /** Overwrites fields of a stored audit entry behind the store's back, as someone with raw access could. */
  tamperAuditEntry(chain: string, seq: number, patch: Partial<AuditEntry>): Promise<void>;
  dispose(): Promise<void>;
}

/** Deterministic timestamps: `at(n)` is n seconds after a fixed epoch. */
export function at(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();
}

export function newVersion(slug: string, template = `Hello {{name}} ${randomUUID()}`, createdAt = at(0)): NewPromptVersion {
  const content = { template, variables: [{ name: 'name', required: true }], modelHint: 'gpt-4o-mini' };
  return { slug, ...content, rationale: 'test', contentHash: contentHash(content), author: 'tester', createdAt };
}

export function createdAudit(created: PromptVersion): AuditDraft {
  return { at: created.createdAt, actor: created.author, action: 'version.created', slug: created.slug, version: created.version };
}

function keyRecord(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const role: Role = 'author';
  return { id, name: `key ${id}`, role, keyHash: `hash-${id}-${randomUUID()}`, hint: 'pf_abc', createdAt: at(1), createdBy: 'admin', revokedAt: null, ...overrides };
}

function draft(action: string, seconds = 1): AuditDraft {
  return { at: at(seconds), actor: 'admin', action };
}

/** Polls until `check` passes, for best-effort asynchronous delivery. */
async function eventually(check: () => void | Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * The behaviour every store adapter must share. `makeStores` is called before each test and must return stores over
 * empty data; `dispose` is called after it.
 */
export function describeStoreContract(name: string, makeStores: () => Promise<StoreFixture>): void {
  describe(`${name} store contract`, () => {
    let fixture: StoreFixture;
    let stores: StoreSet;

    beforeEach(async () => {
      fixture = await makeStores();
      stores = fixture.stores;
    });

    afterEach(async () => {
      await fixture.dispose();
    });

    async function createVersions(slug: string, count: number): Promise<PromptVersion[]> {
      const created: PromptVersion[] = [];
      for (let i = 0; i < count; i++) created.push((await stores.promptStore.createVersion(newVersion(slug, `t${i}`, at(i)), createdAudit)).version);
      return created;
    }

    describe('PromptStore.createVersion', () => {
      it('numbers versions 1..n, as drafts, and stores their bodies', async () => {
        const created = await createVersions('greeting', 3);
        expect(created.map((v) => v.version)).toEqual([1, 2, 3]);
        expect(created.every((v) => v.status === 'draft')).toBe(true);
        const input = newVersion('greeting', 'fourth');
        const { version, created: isNew } = await stores.promptStore.createVersion(input, createdAudit);
        expect(isNew).toBe(true);
        expect(version).toEqual({ ...input, version: 4, status: 'draft' });
        await expect(stores.promptStore.getVersion('greeting', 4)).resolves.toEqual(version);
        await expect(stores.promptStore.getVersion('greeting', 5)).resolves.toBeNull();
        await expect(stores.promptStore.getVersion('nothing-here', 1)).resolves.toBeNull();
      });

      it('numbers each slug on its own', async () => {
        await createVersions('a', 2);
        const [b1] = await createVersions('b', 1);
        expect(b1.version).toBe(1);
      });

      it('allocates exactly 1..50 under 50 concurrent creates on one slug, each with one audit entry', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => stores.promptStore.createVersion(newVersion('busy', `concurrent ${i}`), createdAudit)),
        );
        expect(results.map((r) => r.version.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        for (const { version } of results) {
          await expect(stores.promptStore.getVersion('busy', version.version)).resolves.toMatchObject({ template: version.template });
        }
        const chain = await stores.auditLog.readChain('busy');
        expect(verifyAuditChain(chain)).toEqual({ ok: true, length: 50 });
        expect(chain.map((e) => e.version).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect((await stores.promptStore.getState('busy')).latestVersion).toBe(50);
      });

      it('allocates without gaps or duplicates when two instances race on one slug', async () => {
        const peer = fixture.peer ?? stores;
        const writes = Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? stores : peer).promptStore.createVersion(newVersion('raced', `race ${i}`), createdAudit),
        );
        const numbers = (await Promise.all(writes)).map((r) => r.version.version).sort((a, b) => a - b);
        expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(verifyAuditChain(await stores.auditLog.readChain('raced'))).toEqual({ ok: true, length: 40 });
      });

      it('returns the first result for a repeated idempotency key, writing nothing', async () => {
        const first = await stores.promptStore.createVersion(newVersion('idem', 'first'), createdAudit, 'key-1');
        expect(first.created).toBe(true);
        const again = await stores.promptStore.createVersion(newVersion('idem', 'other content'), createdAudit, 'key-1');
        expect(again).toEqual({ version: first.version, created: false });
        expect((await stores.promptStore.getState('idem')).latestVersion).toBe(1);
        expect(await stores.auditLog.readChain('idem')).toHaveLength(1);

        const second = await stores.promptStore.createVersion(newVersion('idem', 'second'), createdAudit, 'key-2');
        expect(second).toMatchObject({ created: true, version: { version: 2 } });
        const elsewhere = await stores.promptStore.createVersion(newVersion('idem-other', 'x'), createdAudit, 'key-1');
        expect(elsewhere).toMatchObject({ created: true, version: { slug: 'idem-other', version: 1 } });
      });

      it('returns the first result to every one of concurrent requests with the same key', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, () => stores.promptStore.createVersion(newVersion('idem-race', 'same'), createdAudit, 'k')),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.version.version))).toEqual(new Set([1]));
        expect(await stores.auditLog.readChain('idem-race')).toHaveLength(1);
      });

      it('refuses an audit entry whose time does not parse, writing nothing', async () => {
        await expect(stores.promptStore.createVersion(newVersion('bad-time'), (v) => ({ ...createdAudit(v), at: 'yesterday' }))).rejects.toThrow(
          UnprocessableError,
        );
        expect((await stores.promptStore.getState('bad-time')).latestVersion).toBe(0);
      });
    });

    describe('PromptStore reads', () => {
      it('never changes a version body; only the status moves', async () => {
        const [v1] = await createVersions('immutable', 1);
        const state = await stores.promptStore.changeStatuses('immutable', 0, [{ version: 1, from: 'draft', to: 'prod' }], [draft('promote', 5)]);
        await stores.promptStore.putRollout('immutable', state.revision, { allocation: [{ version: 1, weight: 1 }], rules: [], updatedAt: at(6), updatedBy: 'x' }, draft('ramp', 6));
        await createVersions('immutable', 1);
        await expect(stores.promptStore.getVersion('immutable', 1)).resolves.toEqual({ ...v1, status: 'prod' });
      });

      it('lists versions newest first, paged, with the total', async () => {
        await createVersions('paged', 5);
        const first = await stores.promptStore.listVersions('paged', { offset: 0, limit: 2 });
        expect(first.total).toBe(5);
        expect(first.items.map((v) => v.version)).toEqual([5, 4]);
        const last = await stores.promptStore.listVersions('paged', { offset: 4, limit: 2 });
        expect(last.items.map((v) => v.version)).toEqual([1]);
        expect(last.items[0]).toMatchObject({ slug: 'paged', template: 't0', status: 'draft' });
        await expect(stores.promptStore.listVersions('paged', { offset: 5, limit: 2 })).resolves.toEqual({ items: [], total: 5 });
        await expect(stores.promptStore.listVersions('none', { offset: 0, limit: 10 })).resolves.toEqual({ items: [], total: 0 });
      });

      it('lists every prompt with a version, sorted by slug, with its prod version', async () => {
        await createVersions('zeta', 2);
        await createVersions('alpha', 3);
        await stores.promptStore.changeStatuses('alpha', 0, [{ version: 2, from: 'draft', to: 'prod' }], [draft('promote')]);
        await stores.promptStore.putRollout('rollout-only', 0, { allocation: [], rules: [], updatedAt: at(1), updatedBy: 'x' }, draft('ramp'));
        await expect(stores.promptStore.listPrompts()).resolves.toEqual([
          { slug: 'alpha', latestVersion: 3, prodVersion: 2 },
          { slug: 'zeta', latestVersion: 2, prodVersion: null },
        ]);
      });

      it('reports an unknown slug as an empty state', async () => {
        await expect(stores.promptStore.getState('unknown')).resolves.toEqual({ revision: 0, latestVersion: 0, statuses: {}, rollout: null, kill: null });
      });

      it('reports the state of a slug', async () => {
        await createVersions('stateful', 2);
        await expect(stores.promptStore.getState('stateful')).resolves.toEqual({
          revision: 0,
          latestVersion: 2,
          statuses: { 1: 'draft', 2: 'draft' },
          rollout: null,
          kill: null,
        });
      });
    });

    describe('PromptStore.changeStatuses', () => {
      it('applies every change with its audit entries and bumps the revision', async () => {
        await createVersions('flow', 2);
        const promoted = await stores.promptStore.changeStatuses('flow', 0, [{ version: 1, from: 'draft', to: 'prod' }], [draft('promote 1', 10)]);
        expect(promoted).toEqual({ revision: 1, latestVersion: 2, statuses: { 1: 'prod', 2: 'draft' }, rollout: null, kill: null });
        const swapped = await stores.promptStore.changeStatuses(
          'flow',
          1,
          [
            { version: 2, from: 'draft', to: 'prod' },
            { version: 1, from: 'prod', to: 'deprecated' },
          ],
          [draft('promote 2', 11), draft('deprecate 1', 11)],
        );
        expect(swapped).toEqual({ revision: 2, latestVersion: 2, statuses: { 1: 'deprecated', 2: 'prod' }, rollout: null, kill: null });
        await expect(stores.promptStore.getState('flow')).resolves.toEqual(swapped);
        const chain = await stores.auditLog.readChain('flow');
        expect(chain.map((e) => e.action)).toEqual(['version.created', 'version.created', 'promote 1', 'promote 2', 'deprecate 1']);
        expect(verifyAuditChain(chain)).toEqual({ ok: true, length: 5 });
      });

      it('checks a version listed twice against its first change', async () => {
        await createVersions('twice', 1);
        const state = await stores.promptStore.changeStatuses(
          'twice',
          0,
          [
            { version: 1, from: 'draft', to: 'staging' },
            { version: 1, from: 'staging', to: 'prod' },
          ],
          [draft('stage'), draft('promote')],
        );
        expect(state.statuses).toEqual({ 1: 'prod' });
      });

      async function expectNothingWritten(slug: string, write: () => Promise<unknown>): Promise<void> {
        const before = await stores.promptStore.getState(slug);
        const chainBefore = await stores.auditLog.readChain(slug);
        await expect(write()).rejects.toThrow(StaleWriteError);
        await expect(stores.promptStore.getState(slug)).resolves.toEqual(before);
        await expect(stores.auditLog.readChain(slug)).resolves.toEqual(chainBefore);
      }

      it('refuses a stale revision with StaleWriteError and writes nothing', async () => {
        await createVersions('stale-rev', 2);
        await stores.promptStore.changeStatuses('stale-rev', 0, [{ version: 1, from: 'draft', to: 'staging' }], [draft('stage')]);
        await expectNothingWritten('stale-rev', () =>
          stores.promptStore.changeStatuses('stale-rev', 0, [{ version: 2, from: 'draft', to: 'staging' }], [draft('stage 2')]),
        );
        await expect(
          stores.promptStore.changeStatuses('stale-rev', 0, [{ version: 2, from: 'draft', to: 'staging' }], [draft('stage 2')]),
        ).rejects.toThrow(/revision 0.*found 1/);
      });

      it('refuses a stale from-status with StaleWriteError and writes nothing, even when an earlier change was fine', async () => {
        await createVersions('stale-from', 2);
        await expectNothingWritten('stale-from', () =>
          stores.promptStore.changeStatuses(
            'stale-from',
            0,
            [
              { version: 1, from: 'draft', to: 'staging' },
              { version: 2, from: 'staging', to: 'prod' },
            ],
            [draft('a'), draft('b')],
          ),
        );
        await expectNothingWritten('stale-from', () =>
          stores.promptStore.changeStatuses('stale-from', 0, [{ version: 9, from: 'draft', to: 'prod' }], [draft('ghost')]),
        );
      });

      it('lets exactly one of several writers with the same expected revision win', async () => {
        await createVersions('contended', 1);
        const peer = fixture.peer ?? stores;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? peer : stores).promptStore.changeStatuses('contended', 0, [{ version: 1, from: 'draft', to: 'staging' }], [draft(`w${i}`)]),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StaleWriteError);
        expect((await stores.promptStore.getState('contended')).revision).toBe(1);
        expect(await stores.auditLog.readChain('contended')).toHaveLength(2);
      });

      it('does not lose a status change to a concurrent version create (the chain moved, the revision did not)', async () => {
        await createVersions('mixed', 1);
        const [changed] = await Promise.all([
          stores.promptStore.changeStatuses('mixed', 0, [{ version: 1, from: 'draft', to: 'prod' }], [draft('promote')]),
          ...Array.from({ length: 10 }, (_, i) => stores.promptStore.createVersion(newVersion('mixed', `m${i}`), createdAudit)),
        ]);
        expect(changed.statuses[1]).toBe('prod');
        const state = await stores.promptStore.getState('mixed');
        expect(state).toMatchObject({ revision: 1, latestVersion: 11 });
        expect(verifyAuditChain(await stores.auditLog.readChain('mixed'))).toEqual({ ok: true, length: 12 });
      });
    });

    describe('PromptStore.putRollout', () => {
      const rollout = { allocation: [{ version: 1, weight: 90 }, { version: 2, weight: 10 }], rules: [{ match: { tenant: ['acme'] }, version: 2 }], updatedAt: at(20), updatedBy: 'exp' };

      it('stores the rollout for the slug and bumps the revision', async () => {
        await createVersions('ramp', 2);
        const state = await stores.promptStore.putRollout('ramp', 0, rollout, draft('rollout.updated', 20));
        expect(state).toEqual({ revision: 1, latestVersion: 2, statuses: { 1: 'draft', 2: 'draft' }, rollout: { ...rollout, slug: 'ramp' }, kill: null });
        await expect(stores.promptStore.getState('ramp')).resolves.toEqual(state);
        expect((await stores.auditLog.readChain('ramp')).at(-1)).toMatchObject({ action: 'rollout.updated', seq: 3 });
      });

      it('refuses a stale revision with StaleWriteError and writes nothing', async () => {
        await createVersions('ramp-stale', 2);
        await stores.promptStore.putRollout('ramp-stale', 0, rollout, draft('first'));
        const before = await stores.promptStore.getState('ramp-stale');
        await expect(stores.promptStore.putRollout('ramp-stale', 0, { ...rollout, allocation: [] }, draft('second'))).rejects.toThrow(StaleWriteError);
        await expect(stores.promptStore.getState('ramp-stale')).resolves.toEqual(before);
        expect(await stores.auditLog.readChain('ramp-stale')).toHaveLength(3);
      });
    });

    describe('PromptStore kill switch', () => {
      const rollout = { allocation: [{ version: 1, weight: 50 }, { version: 2, weight: 50 }], rules: [{ match: { tenant: ['acme'] }, version: 2 }], updatedAt: at(20), updatedBy: 'exp' };
      const kill = (toVersion: number) => ({ toVersion, reason: 'incident', at: at(30), actor: 'oncall' });

      async function killable(slug: string): Promise<number> {
        await createVersions(slug, 2);
        await stores.promptStore.changeStatuses(slug, 0, [{ version: 1, from: 'draft', to: 'staging' }, { version: 1, from: 'staging', to: 'prod' }], [draft('promote')]);
        return (await stores.promptStore.putRollout(slug, 1, rollout, draft('rollout.replaced', 20))).revision;
      }

      it('sets the kill with its audit entry, bumps the revision and leaves the rollout and statuses untouched', async () => {
        const revision = await killable('killed');
        const before = await stores.promptStore.getState('killed');
        const state = await stores.promptStore.setKill('killed', revision, kill(1), draft('kill', 30));
        const chain = await stores.auditLog.readChain('killed');
        const entry = chain.at(-1)!;
        expect(entry).toMatchObject({ action: 'kill' });
        expect(state).toEqual({ ...before, revision: revision + 1, kill: { ...kill(1), auditId: entry.id } });
        await expect(stores.promptStore.getState('killed')).resolves.toEqual(state);
        expect(verifyAuditChain(chain)).toEqual({ ok: true, length: chain.length });
      });

      it('re-points a kill, then clears it so the stored rollout is back exactly as before', async () => {
        const revision = await killable('restored');
        const before = await stores.promptStore.getState('restored');
        const first = await stores.promptStore.setKill('restored', revision, kill(1), draft('kill'));
        const second = await stores.promptStore.setKill('restored', first.revision, kill(2), draft('kill again'));
        expect(second.kill).toMatchObject({ toVersion: 2 });
        expect(second.kill!.auditId).not.toBe(first.kill!.auditId);
        const cleared = await stores.promptStore.clearKill('restored', second.revision, draft('restore'));
        expect(cleared).toEqual({ ...before, revision: revision + 3, kill: null });
        await expect(stores.promptStore.getState('restored')).resolves.toEqual(cleared);
        expect((await stores.auditLog.readChain('restored')).slice(-3).map((e) => e.action)).toEqual(['kill', 'kill again', 'restore']);
      });

      it('refuses a stale revision for setKill and clearKill with StaleWriteError and writes nothing', async () => {
        const revision = await killable('kill-stale');
        await stores.promptStore.putRollout('kill-stale', revision, rollout, draft('moved on'));
        const before = await stores.promptStore.getState('kill-stale');
        const chainBefore = await stores.auditLog.readChain('kill-stale');
        await expect(stores.promptStore.setKill('kill-stale', revision, kill(1), draft('kill'))).rejects.toThrow(StaleWriteError);
        await expect(stores.promptStore.clearKill('kill-stale', revision, draft('restore'))).rejects.toThrow(StaleWriteError);
        await expect(stores.promptStore.getState('kill-stale')).resolves.toEqual(before);
        await expect(stores.auditLog.readChain('kill-stale')).resolves.toEqual(chainBefore);
      });

      it('lets exactly one of several kills with the same expected revision win', async () => {
        const revision = await killable('kill-race');
        const peer = fixture.peer ?? stores;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? peer : stores).promptStore.setKill('kill-race', revision, kill(1 + (i % 2)), draft(`k${i}`))),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StaleWriteError);
        const state = await stores.promptStore.getState('kill-race');
        expect(state.revision).toBe(revision + 1);
        expect((await stores.auditLog.readChain('kill-race')).at(-1)!.id).toBe(state.kill!.auditId);
      });

      it('appends an audit entry without changing the state or the revision', async () => {
        const revision = await killable('refusals');
        const before = await stores.promptStore.getState('refusals');
        const entry = await stores.promptStore.appendAudit('refusals', draft('kill.refused', 40));
        expect(entry).toMatchObject({ chain: 'refusals', action: 'kill.refused' });
        await expect(stores.promptStore.getState('refusals')).resolves.toEqual({ ...before, revision });
        const chain = await stores.auditLog.readChain('refusals');
        expect(chain.at(-1)).toEqual(entry);
        expect(verifyAuditChain(chain)).toEqual({ ok: true, length: chain.length });
      });
    });

    describe('AuditLog', () => {
      it('lists one slug newest first, honouring limit and beforeAt', async () => {
        await createVersions('trail', 4);
        const newest = await stores.auditLog.list({ slug: 'trail', limit: 2 });
        expect(newest.map((e) => e.version)).toEqual([4, 3]);
        const older = await stores.auditLog.list({ slug: 'trail', limit: 10, beforeAt: at(2) });
        expect(older.map((e) => e.version)).toEqual([2, 1]);
        await expect(stores.auditLog.list({ slug: 'nope', limit: 10 })).resolves.toEqual([]);
      });

      it('merges every chain newest first by time, then seq', async () => {
        await stores.promptStore.createVersion(newVersion('one', 'a', at(10)), createdAudit);
        await stores.auditLog.appendSystem({ at: at(11), actor: 'admin', action: 'incident.opened' });
        await stores.promptStore.createVersion(newVersion('two', 'b', at(12)), createdAudit);
        await stores.promptStore.createVersion(newVersion('one', 'c', at(13)), createdAudit);
        await stores.apiKeyStore.create(keyRecord('k1'), draft('key.minted', 14));
        await stores.promptStore.createVersion(newVersion('two', 'd', at(14)), createdAudit);

        const all = await stores.auditLog.list({ limit: 100 });
        expect(all.map((e) => `${e.chain}:${e.seq}`)).toEqual(['two:2', '_system:2', 'one:2', 'two:1', '_system:1', 'one:1']);
        const page = await stores.auditLog.list({ limit: 3 });
        expect(page).toEqual(all.slice(0, 3));
        const before = await stores.auditLog.list({ limit: 2, beforeAt: at(13) });
        expect(before.map((e) => `${e.chain}:${e.seq}`)).toEqual(['two:1', '_system:1']);
      });

      it('appends system entries to their own chain', async () => {
        const first = await stores.auditLog.appendSystem({ at: at(1), actor: 'ops', action: 'incident.opened', reason: 'pager' });
        const second = await stores.auditLog.appendSystem({ at: at(2), actor: 'ops', action: 'incident.closed' });
        expect(first).toMatchObject({ chain: SYSTEM_CHAIN, seq: 1, id: '_system:1', reason: 'pager' });
        expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
        const chain = await stores.auditLog.readChain(SYSTEM_CHAIN);
        expect(chain).toEqual([first, second]);
        expect(verifyAuditChain(chain)).toEqual({ ok: true, length: 2 });
      });

      it('keeps concurrent system appends in one unbroken chain', async () => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => stores.auditLog.appendSystem({ at: at(i), actor: 'ops', action: `a${i}` })));
        expect(verifyAuditChain(await stores.auditLog.readChain(SYSTEM_CHAIN))).toEqual({ ok: true, length: 20 });
      });

      it('lets verifyAuditChain detect an entry edited in the raw store', async () => {
        await createVersions('tampered', 3);
        expect(verifyAuditChain(await stores.auditLog.readChain('tampered')).ok).toBe(true);
        await fixture.tamperAuditEntry('tampered', 2, { actor: 'mallory' });
        const chain = await stores.auditLog.readChain('tampered');
        expect(chain[1].actor).toBe('mallory');
        expect(verifyAuditChain(chain)).toEqual({ ok: false, brokenAt: 2, problem: 'content does not match hash' });
      });
    });

    describe('ApiKeyStore', () => {
      it('creates, finds by hash and lists keys, auditing each on the system chain', async () => {
        const a = keyRecord('a', { createdAt: at(2) });
        const b = keyRecord('b', { createdAt: at(1), role: 'admin' });
        await stores.apiKeyStore.create(a, draft('key.minted', 2));
        await stores.apiKeyStore.create(b, draft('key.minted', 1));
        await expect(stores.apiKeyStore.findByHash(a.keyHash)).resolves.toEqual(a);
        await expect(stores.apiKeyStore.findByHash('unknown')).resolves.toBeNull();
        await expect(stores.apiKeyStore.list()).resolves.toEqual([b, a]);
        const chain = await stores.auditLog.readChain(SYSTEM_CHAIN);
        expect(chain.map((e) => e.action)).toEqual(['key.minted', 'key.minted']);
        expect(verifyAuditChain(chain).ok).toBe(true);
      });

      it('refuses a duplicate id or key hash with ConflictError, writing nothing', async () => {
        const a = keyRecord('dup');
        await stores.apiKeyStore.create(a, draft('key.minted'));
        await expect(stores.apiKeyStore.create(keyRecord('dup'), draft('key.minted'))).rejects.toThrow(ConflictError);
        await expect(stores.apiKeyStore.create(keyRecord('other', { keyHash: a.keyHash }), draft('key.minted'))).rejects.toThrow(ConflictError);
        await expect(stores.apiKeyStore.list()).resolves.toEqual([a]);
        expect(await stores.auditLog.readChain(SYSTEM_CHAIN)).toHaveLength(1);
      });

      it('revokes once: a second revoke changes nothing and returns the record; unknown ids give null', async () => {
        const key = keyRecord('rev');
        await stores.apiKeyStore.create(key, draft('key.minted'));
        const revoked = await stores.apiKeyStore.revoke('rev', at(5), draft('key.revoked', 5));
        expect(revoked).toEqual({ ...key, revokedAt: at(5) });
        await expect(stores.apiKeyStore.revoke('rev', at(6), draft('key.revoked', 6))).resolves.toEqual(revoked);
        await expect(stores.apiKeyStore.findByHash(key.keyHash)).resolves.toEqual(revoked);
        await expect(stores.apiKeyStore.revoke('ghost', at(7), draft('key.revoked', 7))).resolves.toBeNull();
        expect((await stores.auditLog.readChain(SYSTEM_CHAIN)).map((e) => e.action)).toEqual(['key.minted', 'key.revoked']);
      });

      it('stores the bootstrap key once, and replaces it only when asked to with a different key', async () => {
        const first = keyRecord(BOOTSTRAP_KEY_ID, { role: 'admin' });
        await expect(stores.apiKeyStore.ensureBootstrap(first, draft('key.bootstrapped'), false)).resolves.toBe(true);
        await expect(stores.apiKeyStore.ensureBootstrap(keyRecord(BOOTSTRAP_KEY_ID, { role: 'admin' }), draft('key.bootstrapped'), false)).resolves.toBe(false);
        await expect(stores.apiKeyStore.ensureBootstrap(first, draft('key.bootstrapped'), true)).resolves.toBe(false);
        await expect(stores.apiKeyStore.findByHash(first.keyHash)).resolves.toEqual(first);

        const second = keyRecord(BOOTSTRAP_KEY_ID, { role: 'admin', createdAt: at(9) });
        await expect(stores.apiKeyStore.ensureBootstrap(second, draft('key.bootstrapped', 9), true)).resolves.toBe(true);
        await expect(stores.apiKeyStore.findByHash(first.keyHash)).resolves.toBeNull();
        await expect(stores.apiKeyStore.findByHash(second.keyHash)).resolves.toEqual(second);
        await expect(stores.apiKeyStore.list()).resolves.toEqual([second]);
        expect(await stores.auditLog.readChain(SYSTEM_CHAIN)).toHaveLength(2);
      });

      it('restores a revoked bootstrap key when asked to replace it', async () => {
        const key = keyRecord(BOOTSTRAP_KEY_ID, { role: 'admin' });
        await stores.apiKeyStore.ensureBootstrap(key, draft('key.bootstrapped'), false);
        await stores.apiKeyStore.revoke(BOOTSTRAP_KEY_ID, at(3), draft('key.revoked', 3));
        await expect(stores.apiKeyStore.ensureBootstrap(key, draft('key.bootstrapped', 4), true)).resolves.toBe(true);
        await expect(stores.apiKeyStore.findByHash(key.keyHash)).resolves.toEqual(key);
      });
    });

    describe('ChangeFeed', () => {
      it('delivers events to every subscriber, including another instance, until they unsubscribe', async () => {
        const peer = fixture.peer ?? stores;
        const local: ChangeEvent[] = [];
        const remote: ChangeEvent[] = [];
        const stopLocal = stores.changeFeed.subscribe((e) => local.push(e));
        const stopRemote = peer.changeFeed.subscribe((e) => remote.push(e));
        const event: ChangeEvent = { kind: 'prompt', slug: 'feed', revision: 3 };
        // Subscribing is asynchronous on a network feed: publish until both have heard one.
        await eventually(async () => {
          await stores.changeFeed.publish(event);
          expect(local.length).toBeGreaterThan(0);
          expect(remote.length).toBeGreaterThan(0);
        });
        expect(remote[0]).toEqual(event);
        stopLocal();
        stopRemote();
        const heard = [local.length, remote.length];
        await stores.changeFeed.publish({ kind: 'keys', keyId: 'k' });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect([local.length, remote.length]).toEqual(heard);
      });

      it('keeps delivering to the others when one listener throws', async () => {
        const heard: ChangeEvent[] = [];
        const stopBad = stores.changeFeed.subscribe(() => {
          throw new Error('consumer bug');
        });
        const stopGood = stores.changeFeed.subscribe((e) => heard.push(e));
        await eventually(async () => {
          await stores.changeFeed.publish({ kind: 'keys', keyId: 'x' });
          expect(heard.length).toBeGreaterThan(0);
        });
        stopBad();
        stopGood();
      });
    });

    describe('StoreHealth', () => {
      it('answers a ping', async () => {
        await expect(stores.health.ping()).resolves.toBeUndefined();
        expect(['redis', 'embedded']).toContain(stores.health.kind);
      });
    });
  });
}
