import { ExposureRecorder } from '../../src/experiments/exposure-recorder.service';
import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import { createTestApp, type TestApp } from '../helpers/create-test-app';
import { seedPrompt, waitFor } from '../helpers/seed';

const SLUG = 'guarded';
const USERS = 1600;
/** Acceptance per version, by event index (deterministic): the candidate (v2) accepts 40 % against the baseline's 60 %. */
const ACCEPTED_OF_TEN: Record<number, number> = { 1: 6, 2: 4 };

describe('A guarded ramp aborts on real outcome traffic (e2e, Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis', overrides: { RAMP_TICK_MS: 100, RAMP_GUARDRAIL_CHECK_MS: 200 } });
    await seedPrompt(t, SLUG, { count: 2, prod: 1, staging: [2] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('holds at 50 %, sees the candidate lose acceptance, aborts to the baseline as "guardrail" with the evidence', async () => {
    const started = await t.call('POST', `/v1/prompts/${SLUG}/ramps`, {
      body: { version: 2, steps: [50, 100], holdSeconds: 3600, guardrails: { outcomeDropRelative: 0.1 }, reason: 'ramp v2 under guard' },
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'running', percent: 50 });

    // Traffic: users resolve (exposures recorded by the resolver), then their outcomes arrive through POST /v1/events.
    const resolver = t.app.get(PromptResolver);
    let probe = 0;
    await waitFor(async () => resolver.resolve(SLUG, { targetingKey: `probe-${probe++}` }).version === 2);
    const versionOf = new Map<string, number>();
    for (let i = 0; i < USERS; i++) versionOf.set(`user-${i}`, resolver.resolve(SLUG, { targetingKey: `user-${i}` }).version);
    const perVersion = [1, 2].map((v) => [...versionOf.values()].filter((served) => served === v).length);
    expect(Math.min(...perVersion)).toBeGreaterThan(USERS * 0.4);
    await t.app.get(ExposureRecorder).flushAll();
    const events = [...versionOf].map(([targetingKey, version], i) => ({
      id: `guarded-${i}`,
      slug: SLUG,
      version,
      targetingKey,
      outcome: i % 10 < ACCEPTED_OF_TEN[version] ? 'accepted' : 'rejected',
    }));
    for (let i = 0; i < events.length; i += 1000) {
      const res = await t.call('POST', '/v1/events', { body: { events: events.slice(i, i + 1000) } });
      expect(res.body).toMatchObject({ refused: 0, duplicates: 0 });
    }

    // The results show it: the candidate's acceptance rate is lower, with a difference interval below zero.
    const results = await t.call('GET', `/v1/prompts/${SLUG}/results`);
    const candidate = results.body.versions.find((v: { version: number }) => v.version === 2);
    expect(candidate.outcomes.accepted.rate).toBeCloseTo(0.4, 1);
    expect(candidate.outcomes.accepted.diff.ci[1]).toBeLessThan(0);

    // The runner checks the guardrails while the step holds and aborts.
    let ramp = (await t.call('GET', `/v1/prompts/${SLUG}/ramps/current`)).body;
    await waitFor(async () => {
      ramp = (await t.call('GET', `/v1/prompts/${SLUG}/ramps/current`)).body;
      return ramp.status !== 'running';
    }, 10_000);
    expect(ramp).toMatchObject({ status: 'aborted', percent: null, evidence: [{ slug: SLUG, version: 2, metric: 'outcome-rate-drop', threshold: 0.1 }] });
    expect(ramp.stopReason).toBe('guardrail breached: outcome-rate-drop (v2)');
    expect(ramp.evidence[0].baselineValue).toBeCloseTo(0.6, 1);
    expect(ramp.evidence[0].value).toBeCloseTo(0.4, 1);

    // Everyone is back on the baseline, v2 stays staging (never promoted), and the audit says who and why.
    expect((await t.call('GET', `/v1/prompts/${SLUG}/rollout`)).body.allocation).toEqual([]);
    expect((await t.call('GET', `/v1/prompts/${SLUG}/versions/2`)).body.status).toBe('staging');
    for (const key of [...versionOf.keys()].slice(0, 200)) expect(resolver.resolve(SLUG, { targetingKey: key }).version).toBe(1);
    const audit = (await t.call('GET', `/v1/audit?slug=${SLUG}&limit=20`)).body.items as { action: string; actor: string; reason: string; after?: Record<string, unknown> }[];
    const aborted = audit.find((e) => e.action === 'ramp.aborted');
    expect(aborted).toMatchObject({ actor: 'guardrail', reason: 'guardrail breached: outcome-rate-drop (v2)', after: { status: 'aborted', breaches: [expect.objectContaining({ metric: 'outcome-rate-drop' })] } });
    const cleared = audit.find((e) => e.action === 'rollout.replaced' && e.actor === 'guardrail');
    expect(cleared?.reason).toMatch(/aborted: back to the baseline v1: guardrail breached/);
  }, 30_000);
});
