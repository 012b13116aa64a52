import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import { StatsigAllocationSync } from '../../src/rollout/statsig-allocation.sync';
import { StatsigService } from '../../src/statsig/statsig.service';
import { createTestApp, type TestApp } from '../helpers/create-test-app';
import { putRollout, seedPrompt, waitFor } from '../helpers/seed';

const SLUG = 'statsig-split';
const USERS = Array.from({ length: 4000 }, (_, i) => `user-${i}`);

describe('A rollout that takes its weights from a Statsig experiment (statsig-node in localMode, embedded store)', () => {
  let t: TestApp;
  let override: (value: Record<string, unknown>) => void;

  beforeAll(async () => {
    t = await createTestApp({ store: 'embedded', overrides: { STATSIG_SERVER_SECRET: 'secret-local', STATSIG_LOCAL_MODE: true, STATSIG_ALLOCATION_SYNC_SECONDS: 0 } });
    const client = t.app.get(StatsigService).client!;
    override = (value) => client.overrideConfig('triage_split', value);
    await seedPrompt(t, SLUG, { count: 3, prod: 1, staging: [2, 3], withoutEval: [3] });
  });
  afterAll(async () => {
    await t.close();
  });

  const servedV2 = async (): Promise<Set<string>> => {
    const resolver = t.app.get(PromptResolver);
    return new Set(USERS.filter((user) => resolver.resolve(SLUG, { targetingKey: user }).version === 2));
  };
  const revisionServed = (revision: number) => waitFor(async () => t.app.get(PromptResolver).resolve(SLUG, { targetingKey: 'probe' }).revision === revision);

  it('reads the weights when the rollout is set, follows the experiment when it changes, and keeps users sticky', async () => {
    override({ allocation: [{ version: 2, weight: 5 }, { version: 1, weight: 95 }] });
    const set = await putRollout(t, SLUG, { statsigAllocation: { experiment: 'triage_split' }, reason: 'weights from Statsig' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ allocation: [{ version: 2, weight: 5 }, { version: 1, weight: 95 }], statsigAllocation: { experiment: 'triage_split' } });
    await revisionServed(set.body.revision);
    const atFive = await servedV2();
    expect(atFive.size / USERS.length).toBeGreaterThan(0.035);
    expect(atFive.size / USERS.length).toBeLessThan(0.065);

    override({ allocation: [{ version: 2, weight: 50 }, { version: 1, weight: 50 }] });
    const sync = t.app.get(StatsigAllocationSync);
    expect(await sync.syncAll()).toEqual([{ slug: SLUG, experiment: 'triage_split', outcome: 'updated' }]);
    const after = (await t.call('GET', `/v1/prompts/${SLUG}/rollout`)).body;
    expect(after).toMatchObject({ revision: set.body.revision + 1, allocation: [{ version: 2, weight: 50 }, { version: 1, weight: 50 }], statsigAllocation: { experiment: 'triage_split' }, updatedBy: 'statsig' });
    await revisionServed(after.revision);
    const atFifty = await servedV2();
    expect([...atFive].filter((user) => !atFifty.has(user))).toEqual([]);
    expect(atFifty.size / USERS.length).toBeGreaterThan(0.46);

    expect(await sync.syncAll()).toEqual([{ slug: SLUG, experiment: 'triage_split', outcome: 'unchanged' }]);
    const audit = (await t.call('GET', `/v1/audit?slug=${SLUG}&limit=5`)).body.items;
    expect(audit[0]).toMatchObject({ action: 'rollout.replaced', actor: 'statsig', reason: 'Statsig experiment "triage_split" changed the weights' });
  });

  it('refuses an allocation that disagrees with Statsig, an unknown experiment, and a ramp on a linked rollout', async () => {
    const clash = await putRollout(t, SLUG, { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 99 }], statsigAllocation: { experiment: 'triage_split' } });
    expect(clash.status).toBe(422);
    expect(clash.body.message).toMatch(/allocation: the weights come from Statsig experiment "triage_split"/);
    const unknown = await putRollout(t, SLUG, { statsigAllocation: { experiment: 'no_such_experiment' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.message).toContain('no_such_experiment');
    const ramp = await t.call('POST', `/v1/prompts/${SLUG}/ramps`, { body: { version: 2, steps: [10, 100], holdSeconds: 60, reason: 'ramp' } });
    expect(ramp.status).toBe(422);
    expect(ramp.body.message).toMatch(/takes its weights from Statsig experiment "triage_split"/);
  });

  it('keeps the promotion gates: Statsig cannot give an unevaluated version more than the canary share', async () => {
    const before = (await t.call('GET', `/v1/prompts/${SLUG}/rollout`)).body;
    override({ allocation: [{ version: 3, weight: 50 }, { version: 1, weight: 50 }] });
    const [outcome] = await t.app.get(StatsigAllocationSync).syncAll();
    expect(outcome).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/version 3 cannot get 50% of traffic \(canary limit 5%\): unmet gate eval/) });
    expect((await t.call('GET', `/v1/prompts/${SLUG}/rollout`)).body).toMatchObject({ revision: before.revision, allocation: before.allocation });
  });
});

describe('statsigAllocation without Statsig configured', () => {
  it('is a 422 that says Statsig is not configured', async () => {
    const t = await createTestApp({ store: 'embedded' });
    try {
      await seedPrompt(t, 'no-statsig', { count: 1, prod: 1 });
      const res = await putRollout(t, 'no-statsig', { statsigAllocation: { experiment: 'triage_split' } });
      expect(res.status).toBe(422);
      expect(res.body.message).toContain('STATSIG_SERVER_SECRET is unset');
    } finally {
      await t.close();
    }
  });
});
