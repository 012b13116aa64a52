import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type StoreKind, type TestApp } from '../helpers/create-test-app';
import { putRollout, seedPrompt, waitFor } from '../helpers/seed';

const USERS = Array.from({ length: 300 }, (_, i) => `user-${i}`);

async function servedBy(t: TestApp, slug: string): Promise<Map<string, number>> {
  const served = new Map<string, number>();
  for (const user of USERS) {
    const res = await t.call('POST', `/v1/prompts/${slug}/resolve`, { body: { targetingKey: user } });
    expect(res.status).toBe(200);
    served.set(user, res.body.version);
  }
  return served;
}

async function auditOf(t: TestApp, slug: string): Promise<{ action: string; actor: string; reason?: string; after?: Record<string, unknown> }[]> {
  return (await t.call('GET', `/v1/audit?slug=${slug}&limit=200`)).body.items;
}

const start = (t: TestApp, slug: string, body: Record<string, unknown>, key?: string) =>
  t.call('POST', `/v1/prompts/${slug}/ramps`, { body: { reason: 'ramp it', ...body }, ...(key ? { key } : {}) });
const act = (t: TestApp, slug: string, action: string, body: Record<string, unknown> = {}) => t.call('POST', `/v1/prompts/${slug}/ramps/current/${action}`, { body });
const current = (t: TestApp, slug: string) => t.call('GET', `/v1/prompts/${slug}/ramps/current`);

describe.each<StoreKind>(['embedded', 'redis'])('Ramps (%s store)', (store) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ store, overrides: { RAMP_TICK_MS: 100 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('steps the candidate up by hand with users sticky, then promotes it at 100% and deprecates the baseline', async () => {
    await seedPrompt(t, 'sticky', { count: 2, prod: 1, staging: [2] });
    const started = await start(t, 'sticky', { version: 2, steps: [5, 25, 100], holdSeconds: 3600 });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'running', candidate: 2, baseline: 1, percent: 5, stepIndex: 0, nextPercent: 25 });
    expect(Date.parse(started.body.nextStepAt)).toBeGreaterThan(Date.now() + 3500_000);
    const rollout = (await t.call('GET', '/v1/prompts/sticky/rollout')).body;
    expect(rollout.allocation).toEqual([
      { version: 2, weight: 500 },
      { version: 1, weight: 9500 },
    ]);

    const at5 = await servedBy(t, 'sticky');
    const in5 = USERS.filter((u) => at5.get(u) === 2);
    expect(in5.length).toBeGreaterThan(0);
    expect(in5.length).toBeLessThan(60);

    const advanced = await act(t, 'sticky', 'advance', { reason: 'looks good' });
    expect(advanced.status).toBe(200);
    expect(advanced.body).toMatchObject({ status: 'running', percent: 25 });
    const at25 = await servedBy(t, 'sticky');
    for (const user of in5) expect(at25.get(user)).toBe(2);
    expect(USERS.filter((u) => at25.get(u) === 2).length).toBeGreaterThan(in5.length);

    const done = await act(t, 'sticky', 'advance');
    expect(done.body).toMatchObject({ status: 'completed', percent: 100, nextStepAt: null });
    const versions = (await t.call('GET', '/v1/prompts/sticky/versions')).body.items as { version: number; status: string }[];
    expect(Object.fromEntries(versions.map((v) => [v.version, v.status]))).toEqual({ 1: 'deprecated', 2: 'prod' });
    expect((await t.call('GET', '/v1/prompts/sticky/rollout')).body.allocation).toEqual([]);
    expect(new Set((await servedBy(t, 'sticky')).values())).toEqual(new Set([2]));
    const actions = (await auditOf(t, 'sticky')).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['ramp.started', 'ramp.advanced', 'ramp.completed', 'rollout.replaced', 'version.status_changed']));
  });

  it('advances on its own after each hold, as actor "ramp", and completes', async () => {
    await seedPrompt(t, 'auto', { count: 2, prod: 1, staging: [2] });
    expect((await start(t, 'auto', { version: 2, steps: [10, 50, 100], holdSeconds: 1 })).status).toBe(201);
    await waitFor(async () => (await current(t, 'auto')).body.status === 'completed', 10_000);
    const ramp = (await current(t, 'auto')).body;
    expect(ramp.history.map((e: { action: string; percent: number | null }) => [e.action, e.percent])).toEqual([
      ['started', 10],
      ['advanced', 50],
      ['completed', 100],
    ]);
    expect(ramp.history.slice(1).every((e: { actor: string }) => e.actor === 'ramp')).toBe(true);
    const replaced = (await auditOf(t, 'auto')).filter((e) => e.action === 'rollout.replaced');
    expect(replaced.filter((e) => e.actor === 'ramp')).toHaveLength(2); // the 50% step and the clearing at 100%
  });

  it('pauses, resumes and aborts back to the baseline; refuses a second ramp and invalid ones', async () => {
    await seedPrompt(t, 'manual', { count: 3, prod: 1, staging: [2] });
    expect((await start(t, 'manual', { version: 2, steps: [1, 100], holdSeconds: 3600, guardrails: { bogus: 1 } })).status).toBe(422);
    expect((await start(t, 'manual', { version: 2, steps: [50, 10, 100], holdSeconds: 3600 })).status).toBe(422);
    expect((await start(t, 'manual', { version: 2, steps: [10, 50], holdSeconds: 3600 })).status).toBe(422);
    expect((await start(t, 'manual', { version: 3, steps: [10, 100], holdSeconds: 3600 })).status).toBe(422); // v3 is a draft
    expect((await start(t, 'manual', { version: 1, steps: [10, 100], holdSeconds: 3600 })).status).toBe(422); // the baseline
    expect((await start(t, 'nope', { version: 1, steps: [10, 100], holdSeconds: 3600 })).status).toBe(404);
    expect((await current(t, 'manual')).status).toBe(404);

    const reader = (await t.call('POST', '/v1/keys', { body: { name: `reader-${store}`, role: 'reader', reason: 'test' } })).body.key as string;
    expect((await start(t, 'manual', { version: 2, steps: [10, 100], holdSeconds: 3600 }, reader)).status).toBe(403);
    expect((await t.call('GET', '/v1/prompts/manual/ramps/current', { key: reader })).status).toBe(404);

    expect((await start(t, 'manual', { version: 2, steps: [10, 100], holdSeconds: 3600, guardrails: { outcomeDropRelative: 0.05 } })).status).toBe(201);
    const second = await start(t, 'manual', { version: 2, steps: [10, 100], holdSeconds: 3600 });
    expect(second.status).toBe(409);

    const paused = await act(t, 'manual', 'pause', { reason: 'hold on' });
    expect(paused.body).toMatchObject({ status: 'paused', nextStepAt: null, percent: 10 });
    const resumed = await act(t, 'manual', 'resume');
    expect(resumed.body).toMatchObject({ status: 'running', percent: 10 });
    expect(resumed.body.nextStepAt).not.toBeNull();
    expect((await act(t, 'manual', 'jump')).status).toBe(404);

    const aborted = await act(t, 'manual', 'abort', { reason: 'changed my mind' });
    expect(aborted.body).toMatchObject({ status: 'aborted', percent: null, stopReason: 'changed my mind' });
    expect((await t.call('GET', '/v1/prompts/manual/rollout')).body.allocation).toEqual([]);
    expect(new Set((await servedBy(t, 'manual')).values())).toEqual(new Set([1]));
    expect((await act(t, 'manual', 'advance')).status).toBe(409);
    // A finished ramp makes room for a new one.
    expect((await start(t, 'manual', { version: 2, steps: [10, 100], holdSeconds: 3600 })).status).toBe(201);
    expect((await act(t, 'manual', 'abort')).status).toBe(200);
  });

  it('keeps the rollout rules and bucketBy while it changes the split', async () => {
    await seedPrompt(t, 'rules', { count: 2, prod: 1, staging: [2] });
    expect((await putRollout(t, 'rules', { allocation: [], rules: [{ match: { tenant: ['acme'] }, version: 2 }], bucketBy: 'sessionId' })).status).toBe(200);
    expect((await start(t, 'rules', { version: 2, steps: [10, 100], holdSeconds: 3600 })).status).toBe(201);
    const rollout = (await t.call('GET', '/v1/prompts/rules/rollout')).body;
    expect(rollout).toMatchObject({ bucketBy: 'sessionId', rules: [{ match: { tenant: ['acme'] }, version: 2 }], updatedBy: 'admin' });
    expect(rollout.allocation[0]).toEqual({ version: 2, weight: 1000 });
    await act(t, 'rules', 'abort');
  });

  it('pauses a running ramp when the slug is killed, refuses to resume it until the restore', async () => {
    await seedPrompt(t, 'killed', { count: 2, prod: 1, staging: [2] });
    expect((await start(t, 'killed', { version: 2, steps: [10, 50, 100], holdSeconds: 1 })).status).toBe(201);
    expect((await t.call('POST', '/v1/prompts/killed/kill', { body: { reason: 'INC-9' } })).status).toBe(200);
    await waitFor(async () => (await current(t, 'killed')).body.status === 'paused', 5000);
    const ramp = (await current(t, 'killed')).body;
    expect(ramp.stopReason).toMatch(/killed/);
    expect(ramp.percent).toBeLessThan(100);
    expect((await act(t, 'killed', 'resume')).status).toBe(409);
    expect((await act(t, 'killed', 'advance')).status).toBe(409);
    expect((await t.call('POST', '/v1/prompts/killed/restore', { body: { reason: 'fixed' } })).status).toBe(200);
    expect((await act(t, 'killed', 'resume')).body.status).toBe('running');
    await act(t, 'killed', 'abort');
  });
});

describe('Ramps across restarts and replicas (redis store)', () => {
  it('survives a restart: a ramp started on one app is finished by the next one', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const first = await createTestApp({ store: 'redis', overrides: { REDIS_KEY_PREFIX: prefix, RAMP_TICK_MS: 0 } });
    try {
      await seedPrompt(first, 'restart', { count: 2, prod: 1, staging: [2] });
      expect((await start(first, 'restart', { version: 2, steps: [20, 100], holdSeconds: 1 })).status).toBe(201);
    } finally {
      await first.close();
    }
    const second = await createTestApp({ store: 'redis', overrides: { REDIS_KEY_PREFIX: prefix, PROMPTFLAG_ADMIN_KEY: first.adminKey, RAMP_TICK_MS: 100 } });
    try {
      await waitFor(async () => (await current(second, 'restart')).body.status === 'completed', 10_000);
    } finally {
      await second.close();
    }
  });

  it('with two replicas on one Redis, exactly one advances each step', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const a = await createTestApp({ store: 'redis', overrides: { REDIS_KEY_PREFIX: prefix, RAMP_TICK_MS: 20 } });
    const b = await createTestApp({ store: 'redis', overrides: { REDIS_KEY_PREFIX: prefix, PROMPTFLAG_ADMIN_KEY: a.adminKey, RAMP_TICK_MS: 20 } });
    try {
      await seedPrompt(a, 'duo', { count: 2, prod: 1, staging: [2] });
      expect((await start(b, 'duo', { version: 2, steps: [20, 40, 60, 100], holdSeconds: 1 })).status).toBe(201);
      await waitFor(async () => (await current(a, 'duo')).body.status === 'completed', 15_000);
      const ramp = (await current(b, 'duo')).body;
      expect(ramp.history.map((e: { action: string; percent: number }) => `${e.action}:${e.percent}`)).toEqual(['started:20', 'advanced:40', 'advanced:60', 'completed:100']);
      const audit = await auditOf(a, 'duo');
      expect(audit.filter((e) => e.action === 'ramp.advanced')).toHaveLength(2);
      expect(audit.filter((e) => e.action === 'ramp.completed')).toHaveLength(1);
      expect(audit.filter((e) => e.action === 'rollout.replaced' && e.actor === 'ramp')).toHaveLength(3);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('Ramps on the embedded store survive a restart', () => {
  it('finishes a ramp after the app restarts on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'promptflag-ramp-'));
    try {
      const first = await createTestApp({ store: 'embedded', overrides: { DATA_DIR: dataDir, RAMP_TICK_MS: 0 } });
      try {
        await seedPrompt(first, 'restart', { count: 2, prod: 1, staging: [2] });
        expect((await start(first, 'restart', { version: 2, steps: [20, 100], holdSeconds: 1 })).status).toBe(201);
      } finally {
        await first.close();
      }
      const second = await createTestApp({ store: 'embedded', overrides: { DATA_DIR: dataDir, PROMPTFLAG_ADMIN_KEY: first.adminKey, RAMP_TICK_MS: 100 } });
      try {
        await waitFor(async () => (await current(second, 'restart')).body.status === 'completed', 10_000);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
