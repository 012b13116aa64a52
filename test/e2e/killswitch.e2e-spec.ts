import { Redis } from 'ioredis';
import { ROLES, type Role } from '../../src/auth/domain/roles';
import { createReplica, createTestApp, type TestApp } from '../helpers/create-test-app';
import { RedisServer } from '../helpers/redis-server';
import { putRollout, seedPrompt, waitFor } from '../helpers/seed';

const ROLLOUT = { allocation: [{ version: 2, weight: 1 }, { version: 3, weight: 1 }], rules: [{ match: { tenant: ['acme'] }, version: 3 }] };

async function mintKeys(t: TestApp): Promise<Record<Role, string>> {
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) {
    const res = await t.call('POST', '/v1/keys', { body: { name: `${role}-ks`, role, reason: 'test setup' } });
    if (res.status !== 201) throw new Error(`minting ${role}: ${res.status}`);
    keys[role] = res.body.key;
  }
  return keys;
}

/** The versions served to a spread of users, including ones pinned by the acme rule. */
async function servedVersions(t: TestApp, slug: string): Promise<{ versions: Set<number>; reasons: Set<string> }> {
  const versions = new Set<number>();
  const reasons = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const body = { targetingKey: `user-${i}`, ...(i % 4 === 0 ? { context: { tenant: 'acme' } } : {}) };
    const res = await t.call('POST', `/v1/prompts/${slug}/resolve`, { body });
    expect(res.status).toBe(200);
    versions.add(res.body.version);
    reasons.add(res.body.reason);
  }
  return { versions, reasons };
}

async function auditActions(t: TestApp, slug: string): Promise<{ action: string; reason?: string; after?: Record<string, unknown> }[]> {
  return (await t.call('GET', `/v1/audit?slug=${slug}&limit=100`)).body.items;
}

describe('Kill switch (redis store)', () => {
  let t: TestApp;
  let keys: Record<Role, string>;

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis' });
    keys = await mintKeys(t);
    // v1 deprecated (former prod), v2 prod, v3 staging, v4 draft; a rollout splitting 2/3 and pinning acme to 3.
    await seedPrompt(t, 'triage', { count: 4, prod: 1, staging: [3] });
    await t.call('POST', '/v1/prompts/triage/versions/2/status', { body: { status: 'staging', reason: 'seed' } });
    await t.call('POST', '/v1/prompts/triage/versions/2/status', { body: { status: 'prod', reason: 'seed' } });
    expect((await putRollout(t, 'triage', ROLLOUT)).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const kill = (slug: string, body: Record<string, unknown>, key = keys.responder) => t.call('POST', `/v1/prompts/${slug}/kill`, { body, key });
  const restore = (slug: string, body: Record<string, unknown>, key = keys.responder) => t.call('POST', `/v1/prompts/${slug}/restore`, { body, key });

  describe('Kill: default target is the prod baseline; everyone, pinned users too, gets it with reason STATIC', () => {
    it('kills, serves the safe version to all, publishes defaultVariant without targeting, and restores the exact rollout', async () => {
      const before = await servedVersions(t, 'triage');
      expect(before.versions).toEqual(new Set([2, 3]));
      const flagBefore = (await t.call('GET', '/v1/flags')).body.flags.triage;
      const rolloutBefore = (await t.call('GET', '/v1/prompts/triage/rollout')).body;

      const res = await kill('triage', { reason: 'INC-1 bad answers' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ slug: 'triage', killed: true, changed: true, kill: { toVersion: 2, reason: 'INC-1 bad answers', actor: 'responder-ks' } });
      expect(res.body.kill.auditId).toMatch(/^triage:\d+$/);

      const during = await servedVersions(t, 'triage');
      expect(during).toEqual({ versions: new Set([2]), reasons: new Set(['STATIC']) });
      const flag = (await t.call('GET', '/v1/flags')).body.flags.triage;
      expect(flag).toMatchObject({ state: 'ENABLED', defaultVariant: 'v2', metadata: { killedTo: 2 } });
      expect(flag.targeting).toBeUndefined();
      expect((await t.call('GET', '/v1/prompts/triage/kill', { key: keys.reader })).body).toMatchObject({ killed: true, kill: res.body.kill });

      const restored = await restore('triage', { reason: 'INC-1 mitigated' });
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ killed: false, kill: null, changed: true });
      const after = (await t.call('GET', '/v1/flags')).body.flags.triage;
      expect({ ...after, metadata: { ...after.metadata, revision: 0 } }).toEqual({ ...flagBefore, metadata: { ...flagBefore.metadata, revision: 0 } });
      const rolloutAfter = (await t.call('GET', '/v1/prompts/triage/rollout')).body;
      expect({ ...rolloutAfter, revision: 0 }).toEqual({ ...rolloutBefore, revision: 0 });
      expect((await servedVersions(t, 'triage')).versions).toEqual(new Set([2, 3]));

      const trail = await auditActions(t, 'triage');
      expect(trail.slice(0, 2).map((e) => e.action)).toEqual(['kill.cleared', 'kill.set']);
    });
  });

  describe('Kill: explicit target, idempotent repeat, re-point', () => {
    afterAll(async () => {
      await restore('triage', { reason: 'cleanup' });
    });

    it('serves an explicit staging or deprecated version; a repeat returns the same state and auditId without a write', async () => {
      const first = await kill('triage', { reason: 'INC-2', toVersion: 1 });
      expect(first.status).toBe(200);
      expect(first.body.kill.toVersion).toBe(1);
      expect((await servedVersions(t, 'triage')).versions).toEqual(new Set([1]));
      const trailLength = (await auditActions(t, 'triage')).length;

      const again = await kill('triage', { reason: 'INC-2 (double click)', toVersion: 1 });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, changed: false });
      expect(await auditActions(t, 'triage')).toHaveLength(trailLength);

      const repointed = await kill('triage', { reason: 'INC-2 use staging', toVersion: 3 }, keys.admin);
      expect(repointed.status).toBe(200);
      expect(repointed.body).toMatchObject({ changed: true, kill: { toVersion: 3, actor: 'admin-ks' } });
      expect(repointed.body.kill.auditId).not.toBe(first.body.kill.auditId);
      expect(repointed.body.revision).toBe(first.body.revision + 1);
      expect((await servedVersions(t, 'triage')).versions).toEqual(new Set([3]));
    });
  });

  describe('Kill: refusals are 4xx and audited as kill.refused / restore.refused', () => {
    it('refuses a draft target with 422 and audits it', async () => {
      const res = await kill('triage', { reason: 'try draft', toVersion: 4 });
      expect(res.status).toBe(422);
      expect(res.body.message).toMatch(/draft/);
      const [latest] = await auditActions(t, 'triage');
      expect(latest).toMatchObject({ action: 'kill.refused', reason: 'try draft', after: { refused: 'UNPROCESSABLE', toVersion: 4 } });
      expect((await t.call('GET', '/v1/prompts/triage/kill')).body.killed).toBe(false);
    });

    it('refuses a version that does not exist with 422', async () => {
      expect((await kill('triage', { reason: 'typo', toVersion: 99 })).status).toBe(422);
    });

    it('answers 422 when the slug never had a prod version, and audits it', async () => {
      await seedPrompt(t, 'never-prod', { count: 2, staging: [1] });
      const res = await kill('never-prod', { reason: 'panic' });
      expect(res.status).toBe(422);
      expect(res.body.message).toMatch(/never had a prod version/);
      expect((await auditActions(t, 'never-prod'))[0]).toMatchObject({ action: 'kill.refused', reason: 'panic' });
      // A staging version may still be named explicitly.
      expect((await kill('never-prod', { reason: 'use staging', toVersion: 1 })).status).toBe(200);
      expect((await restore('never-prod', { reason: 'done' })).status).toBe(200);
    });

    it('answers 409 to a restore when not killed, and audits it', async () => {
      const res = await restore('triage', { reason: 'nothing to do' });
      expect(res.status).toBe(409);
      expect((await auditActions(t, 'triage'))[0]).toMatchObject({ action: 'restore.refused', reason: 'nothing to do', after: { refused: 'CONFLICT' } });
    });

    it('answers 404 for an unknown slug and audits the attempt on the system chain', async () => {
      expect((await kill('no-such-prompt', { reason: 'ghost' })).status).toBe(404);
      const all = (await t.call('GET', '/v1/audit?limit=20')).body.items as { action: string; slug?: string }[];
      expect(all.find((e) => e.slug === 'no-such-prompt')).toMatchObject({ action: 'kill.refused' });
    });

    it('validates the body (reason required, no extra fields)', async () => {
      expect((await kill('triage', {})).status).toBe(400);
      expect((await kill('triage', { reason: 'x', state: 'DISABLED' })).status).toBe(400);
      expect((await kill('triage', { reason: 'x', toVersion: 0 })).status).toBe(400);
    });
  });

  describe('Kill switch roles: reader/author/experimenter get 403, responder and admin succeed', () => {
    it.each(['reader', 'author', 'experimenter'] as const)('refuses %s', async (role) => {
      expect((await kill('triage', { reason: 'no' }, keys[role])).status).toBe(403);
      expect((await restore('triage', { reason: 'no' }, keys[role])).status).toBe(403);
      expect((await t.call('POST', '/v1/kill', { body: { reason: 'no' }, key: keys[role] })).status).toBe(403);
      expect((await t.call('POST', '/v1/restore', { body: { reason: 'no' }, key: keys[role] })).status).toBe(403);
    });

    it.each(['responder', 'admin'] as const)('allows %s', async (role) => {
      expect((await kill('triage', { reason: `by ${role}` }, keys[role])).status).toBe(200);
      expect((await restore('triage', { reason: `by ${role}` }, keys[role])).status).toBe(200);
    });

    it('lets any reader see the kill state', async () => {
      expect((await t.call('GET', '/v1/prompts/triage/kill', { key: keys.reader })).status).toBe(200);
    });
  });

  describe('Incident-wide kill and restore across several slugs', () => {
    it('kills every slug with a prod or last-prod version, skips the rest, keeps existing kills, then restores all', async () => {
      await seedPrompt(t, 'summarise', { count: 2, prod: 2 });
      await seedPrompt(t, 'retired', { count: 2, prod: 1 });
      await t.call('POST', '/v1/prompts/retired/versions/1/status', { body: { status: 'deprecated', reason: 'retired' } });
      await seedPrompt(t, 'wip', { count: 1 });
      expect((await kill('summarise', { reason: 'earlier', toVersion: 2 })).status).toBe(200);

      const res = await t.call('POST', '/v1/kill', { body: { reason: 'INC-9 provider outage' }, key: keys.responder });
      expect(res.status).toBe(200);
      const bySlug = Object.fromEntries((res.body.results as { slug: string }[]).map((r) => [r.slug, r]));
      expect(bySlug.triage).toMatchObject({ outcome: 'killed', kill: { toVersion: 2 } });
      expect(bySlug.retired).toMatchObject({ outcome: 'killed', kill: { toVersion: 1 } });
      expect(bySlug.summarise).toMatchObject({ outcome: 'already-killed', kill: { toVersion: 2, reason: 'earlier' } });
      expect(bySlug.wip).toMatchObject({ outcome: 'skipped' });
      expect((await servedVersions(t, 'triage')).versions).toEqual(new Set([2]));
      // Killed to its last prod, the retired slug serves again for the incident.
      expect((await t.call('POST', '/v1/prompts/retired/resolve', { body: { targetingKey: 'u' } })).body).toMatchObject({ version: 1, reason: 'STATIC' });

      const restored = await t.call('POST', '/v1/restore', { body: { reason: 'INC-9 over' }, key: keys.responder });
      expect(restored.status).toBe(200);
      expect((restored.body.results as { slug: string; outcome: string }[]).map((r) => `${r.slug}:${r.outcome}`).sort()).toEqual([
        'retired:restored',
        'summarise:restored',
        'triage:restored',
      ]);
      expect((await servedVersions(t, 'triage')).versions).toEqual(new Set([2, 3]));
      expect((await t.call('POST', '/v1/prompts/retired/resolve', { body: { targetingKey: 'u' } })).status).toBe(404);
      const system = (await t.call('GET', '/v1/audit?limit=100')).body.items as { action: string }[];
      expect(system.map((e) => e.action)).toEqual(expect.arrayContaining(['kill.incident', 'restore.incident']));
    });
  });

  describe('Rollback re-promotes an earlier version (experimenter), deprecating the current prod', () => {
    it('rolls back to a deprecated version, audited; refuses drafts (422) and readers/responders (403)', async () => {
      await seedPrompt(t, 'rollme', { count: 3, prod: 1 });
      await t.call('POST', '/v1/prompts/rollme/versions/2/status', { body: { status: 'staging', reason: 'seed' } });
      await t.call('POST', '/v1/prompts/rollme/versions/2/status', { body: { status: 'prod', reason: 'seed' } });

      expect((await t.call('POST', '/v1/prompts/rollme/rollback', { body: { toVersion: 1, reason: 'r' }, key: keys.responder })).status).toBe(403);
      expect((await t.call('POST', '/v1/prompts/rollme/rollback', { body: { toVersion: 1, reason: 'r' }, key: keys.reader })).status).toBe(403);
      expect((await t.call('POST', '/v1/prompts/rollme/rollback', { body: { toVersion: 3, reason: 'draft' }, key: keys.experimenter })).status).toBe(422);
      expect((await t.call('POST', '/v1/prompts/rollme/rollback', { body: { toVersion: 2, reason: 'already prod' }, key: keys.experimenter })).status).toBe(422);
      expect((await t.call('POST', '/v1/prompts/rollme/rollback', { body: { toVersion: 9, reason: 'missing' }, key: keys.experimenter })).status).toBe(404);

      const res = await t.call('POST', '/v1/prompts/rollme/rollback', { body: { toVersion: 1, reason: 'v2 regressed' }, key: keys.experimenter });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ slug: 'rollme', previousProd: 2, version: { version: 1, status: 'prod' } });
      const versions = (await t.call('GET', '/v1/prompts/rollme/versions')).body.items as { version: number; status: string }[];
      expect(versions.map((v) => `${v.version}:${v.status}`)).toEqual(['3:draft', '2:deprecated', '1:prod']);
      expect((await t.call('POST', '/v1/prompts/rollme/resolve', { body: { targetingKey: 'u' } })).body.version).toBe(1);
      const trail = await auditActions(t, 'rollme');
      expect(trail.slice(0, 2)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: 'version.status_changed', version: 1, reason: 'rollback: v2 regressed' }),
          expect.objectContaining({ action: 'version.status_changed', version: 2 }),
        ]),
      );
    });
  });
});

describe('Kill switch across two replicas on one Redis', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ store: 'redis' });
    b = await createReplica(a);
    await seedPrompt(a, 'shared', { count: 2, prod: 1, staging: [2] });
    expect((await putRollout(a, 'shared', { allocation: [{ version: 2, weight: 1 }] })).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const versionOn = async (app: TestApp, targetingKey: string) => (await app.call('POST', '/v1/prompts/shared/resolve', { body: { targetingKey } })).body.version;

  it('kill through A → B serves the safe version; restore through B → A serves the rollout again', async () => {
    await waitFor(async () => (await versionOn(b, 'someone')) === 2);
    expect((await a.call('POST', '/v1/prompts/shared/kill', { body: { reason: 'INC-3' } })).status).toBe(200);
    expect(await versionOn(a, 'someone')).toBe(1);
    await waitFor(async () => (await versionOn(b, 'someone')) === 1, 2000);

    expect((await b.call('POST', '/v1/prompts/shared/restore', { body: { reason: 'INC-3 over' } })).status).toBe(200);
    expect(await versionOn(b, 'someone')).toBe(2);
    await waitFor(async () => (await versionOn(a, 'someone')) === 2, 2000);
  });
});

describe('Kill switch while the store is paused: 503 within 2 s, never 200, nothing persisted', () => {
  let redis: RedisServer;
  let admin: Redis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url, { lazyConnect: true });
    await admin.connect();
    t = await createTestApp({ store: 'redis', overrides: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: 500 } as never });
    await seedPrompt(t, 'paused', { count: 2, prod: 2, staging: [1] });
  });
  afterAll(async () => {
    await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    admin.disconnect();
    await t.close();
    await redis.stop();
  });

  it('answers 503 to kill, re-point, restore and the incident-wide calls, and after recovery nothing was written', async () => {
    expect((await t.call('POST', '/v1/prompts/paused/kill', { body: { reason: 'before outage', toVersion: 1 } })).status).toBe(200);
    const stateBefore = (await t.call('GET', '/v1/prompts/paused/kill')).body;
    const trailBefore = (await t.call('GET', '/v1/audit?slug=paused&limit=100')).body.items;

    await admin.call('CLIENT', 'PAUSE', '5000', 'ALL');
    const timings: Record<string, number> = {};
    for (const [path, body] of [
      ['/v1/prompts/paused/kill', { reason: 'during outage' }],
      ['/v1/prompts/paused/kill', { reason: 'during outage', toVersion: 1 }],
      ['/v1/prompts/paused/restore', { reason: 'during outage' }],
      ['/v1/kill', { reason: 'during outage' }],
      ['/v1/restore', { reason: 'during outage' }],
    ] as const) {
      const started = Date.now();
      const res = await t.call('POST', path, { body });
      timings[`${path} ${JSON.stringify(body)}`] = Date.now() - started;
      expect(res.status).toBe(503);
    }
    console.log(`kill switch during CLIENT PAUSE: ${JSON.stringify(timings)}`);
    expect(Math.max(...Object.values(timings))).toBeLessThan(2000);

    await admin.call('CLIENT', 'UNPAUSE');
    // Anything Redis had queued during the pause runs now; give it a moment before looking.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await waitFor(async () => (await t.call('GET', '/v1/prompts/paused/kill')).status === 200, 5000);
    expect((await t.call('GET', '/v1/prompts/paused/kill')).body).toEqual(stateBefore);
    expect((await t.call('GET', '/v1/audit?slug=paused&limit=100')).body.items).toEqual(trailBefore);
    expect((await t.call('POST', '/v1/prompts/paused/resolve', { body: { targetingKey: 'u' } })).body.version).toBe(1);

    // Once the store is back, the same calls work.
    expect((await t.call('POST', '/v1/prompts/paused/restore', { body: { reason: 'after outage' } })).status).toBe(200);
    expect((await t.call('POST', '/v1/prompts/paused/resolve', { body: { targetingKey: 'u' } })).body.version).toBe(2);
  });
});

describe('Kill switch (embedded store)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ store: 'embedded' });
    await seedPrompt(t, 'local', { count: 2, prod: 1, staging: [2] });
    expect((await putRollout(t, 'local', { allocation: [{ version: 2, weight: 1 }] })).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('kills to the baseline and restores the rollout', async () => {
    const resolve = async () => (await t.call('POST', '/v1/prompts/local/resolve', { body: { targetingKey: 'u' } })).body;
    expect((await resolve()).version).toBe(2);
    const killed = await t.call('POST', '/v1/prompts/local/kill', { body: { reason: 'local incident' } });
    expect(killed.body).toMatchObject({ changed: true, kill: { toVersion: 1 } });
    expect(await resolve()).toMatchObject({ version: 1, reason: 'STATIC' });
    expect((await t.call('POST', '/v1/prompts/local/restore', { body: { reason: 'over' } })).status).toBe(200);
    expect((await resolve()).version).toBe(2);
  });
});
