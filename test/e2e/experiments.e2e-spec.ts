import { ExposureRecorder } from '../../src/experiments/exposure-recorder.service';
import { LATENCY_RELATIVE_ERROR } from '../../src/experiments/domain/latency-histogram';
import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import { createTestApp, type TestApp } from '../helpers/create-test-app';
import { mapConcurrently, putRollout, seedPrompt, waitFor } from '../helpers/seed';

/** mulberry32: a small seeded PRNG, so the simulated experiment is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

const SLUG = 'exp-ab';
const USERS = 4000;
const HTTP_USERS = 40;
/** True acceptance rate per version: B (v2) is worse. */
const ACCEPT = { 1: 0.55, 2: 0.45 } as Record<number, number>;
const LATENCY_MEDIAN = { 1: 800, 2: 950 } as Record<number, number>;

interface Truth {
  exposures: number;
  users: Set<string>;
  events: number;
  labelled: number;
  accepted: number;
  latencies: number[];
  tokens: number;
  length: number;
}

describe('Experiments (e2e, Redis): exposures, outcome events and results', () => {
  let t: TestApp;
  const truth: Record<number, Truth> = {};
  const truthOf = (version: number) => (truth[version] ??= { exposures: 0, users: new Set(), events: 0, labelled: 0, accepted: 0, latencies: [], tokens: 0, length: 0 });
  const versionOf = new Map<string, number>();
  let batches: Record<string, unknown>[][] = [];
  const window = () => `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis' });
    await seedPrompt(t, SLUG, { count: 2, prod: 1, staging: [2] });
    const put = await putRollout(t, SLUG, { allocation: [{ version: 1, weight: 50 }, { version: 2, weight: 50 }], rules: [] });
    expect(put.status).toBe(200);

    const resolver = t.app.get(PromptResolver);
    const resolve = (key: string) => {
      const { version } = resolver.resolve(SLUG, { targetingKey: key });
      truthOf(version).exposures += 1;
      truthOf(version).users.add(key);
      return version;
    };
    // Until this replica serves the new rollout, probes only see v1; they count as exposures like any other.
    let probe = 0;
    await waitFor(async () => resolve(`probe-${probe++}`) === 2);

    for (let i = 0; i < USERS; i++) versionOf.set(`user-${i}`, resolve(`user-${i}`));
    await mapConcurrently(Array.from({ length: HTTP_USERS }, (_, i) => `http-user-${i}`), 8, async (key) => {
      const res = await t.call('POST', `/v1/prompts/${SLUG}/resolve`, { body: { targetingKey: key } });
      expect(res.status).toBe(200);
      truthOf(res.body.version).exposures += 1;
      truthOf(res.body.version).users.add(key);
      versionOf.set(key, res.body.version);
    });
    await t.app.get(ExposureRecorder).flushAll();

    const random = prng(20250601);
    const events = [...versionOf].map(([key, version], i) => {
      const u = random();
      const outcome = u < ACCEPT[version] ? 'accepted' : random() < 0.7 ? 'rejected' : 'escalated';
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const latencyMs = Math.round(LATENCY_MEDIAN[version] * Math.exp(0.5 * normal) * 100) / 100;
      const promptTokens = 300 + Math.floor(random() * 100);
      const completionTokens = 50 + Math.floor(random() * 150);
      const finishReason = random() < (version === 1 ? 0.05 : 0.15) ? 'length' : 'stop';
      const event: Record<string, unknown> = { id: `evt-${i}`, slug: SLUG, version, targetingKey: key, latencyMs, promptTokens, completionTokens, finishReason, outputHash: `out-${Math.floor(random() * 300)}` };
      const tr = truthOf(version);
      tr.events += 1;
      tr.latencies.push(latencyMs);
      tr.tokens += promptTokens + completionTokens;
      if (finishReason === 'length') tr.length += 1;
      // One event in twenty carries no label: it counts as a call, not in the rates' denominator.
      if (i % 20 !== 7) {
        event.outcome = outcome;
        tr.labelled += 1;
        if (outcome === 'accepted') tr.accepted += 1;
      }
      return event;
    });
    batches = [];
    for (let i = 0; i < events.length; i += 1000) batches.push(events.slice(i, i + 1000));
    for (const batch of batches) {
      const res = await t.call('POST', '/v1/events', { body: { events: batch } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: batch.length, duplicates: 0, refused: 0 });
    }
  }, 60_000);

  afterAll(() => t?.close());

  it('counts a retried batch once: every event of it is a duplicate', async () => {
    const res = await t.call('POST', '/v1/events', { body: { events: batches[0] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 0, duplicates: batches[0].length, refused: 0 });
    expect(res.body.results[0]).toEqual({ index: 0, status: 'duplicate' });
  });

  it('shows B\'s lower acceptance rate with a difference interval that excludes zero', async () => {
    const res = await t.call('GET', `/v1/prompts/${SLUG}/results?${window()}`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({ slug: SLUG, baseline: 1, analysis: { method: 'fixed-horizon', peeking: true } });
    expect(body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const [a, b] = body.versions;
    for (const v of [a, b]) {
      const tr = truth[v.version];
      expect(v.exposures).toBe(tr.exposures);
      expect(v.calls).toBe(tr.events);
      expect(v.outcomes.accepted.count).toBe(tr.accepted);
      expect(v.outcomes.accepted.rate).toBeCloseTo(tr.accepted / tr.labelled, 12);
      expect(v.outcomes.accepted.ci[0]).toBeLessThan(v.outcomes.accepted.rate);
      expect(v.outcomes.accepted.ci[1]).toBeGreaterThan(v.outcomes.accepted.rate);
      expect(v.tokensPerCall).toBeCloseTo(tr.tokens / tr.events, 9);
      expect(v.lengthShare).toBeCloseTo(tr.length / tr.events, 12);
      expect(v.diversity).toBeGreaterThan(0);
      expect(v.diversity).toBeLessThanOrEqual(1);
    }
    expect(a.outcomes.accepted.diff).toBeUndefined();
    const diff = b.outcomes.accepted.diff;
    expect(diff.ci[1]).toBeLessThan(0);
    expect(diff.value).toBeLessThan(0);
    expect(diff.pValue).toBeLessThan(0.001);
    expect(diff.verdict).toBe('lower');
  });

  it('estimates unique users within HyperLogLog error (0.81 % standard error; 3 % allowed)', async () => {
    const { body } = await t.call('GET', `/v1/prompts/${SLUG}/results?${window()}`);
    for (const v of body.versions) {
      const exact = truth[v.version].users.size;
      expect(Math.abs(v.users - exact) / exact).toBeLessThan(0.03);
    }
  });

  it('reports latency percentiles within the histogram\'s bucket error of the true ones', async () => {
    const { body } = await t.call('GET', `/v1/prompts/${SLUG}/results?${window()}`);
    for (const v of body.versions) {
      const values = truth[v.version].latencies;
      for (const [name, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
        const exact = nearestRank(values, q);
        expect(Math.abs(v.latencyMs[name] - exact) / exact).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR + 1e-9);
      }
    }
  });

  it('does not flag a fair 50/50 split as a sample-ratio mismatch', async () => {
    const { body } = await t.call('GET', `/v1/prompts/${SLUG}/results?${window()}`);
    expect(body.srm.expectedShares).toEqual({ 1: 0.5, 2: 0.5 });
    expect(body.srm.pValue).toBeGreaterThan(0.001);
    expect(body.srm.mismatch).toBe(false);
  });

  it('answers per index, naming the refused fields, and still accepts the valid events', async () => {
    const ok = { id: 'mixed-1', slug: SLUG, version: 1, requestId: 'req-1', outcome: 'accepted' };
    const res = await t.call('POST', '/v1/events', {
      body: { events: [ok, { ...ok, id: '' }, { ...ok, id: 'mixed-3', latencyMs: -5, outcome: 'Bad Label' }, 'nope'] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 0, refused: 3 });
    expect(res.body.results[0]).toEqual({ index: 0, status: 'accepted' });
    expect(res.body.results[1]).toMatchObject({ index: 1, status: 'refused', errors: [{ field: 'id' }] });
    expect(res.body.results[2].errors.map((e: { field: string }) => e.field).sort()).toEqual(['latencyMs', 'outcome']);
    expect(res.body.results[3]).toMatchObject({ index: 3, status: 'refused' });
  });

  it('refuses a malformed or oversized batch with 400', async () => {
    const event = { id: 'x', slug: SLUG, version: 1, targetingKey: 'u' };
    const big = await t.call('POST', '/v1/events', { body: { events: Array.from({ length: 1001 }, (_, i) => ({ ...event, id: `big-${i}` })) } });
    expect(big.status).toBe(400);
    expect(big.body.details.fields[0].field).toBe('events');
    expect((await t.call('POST', '/v1/events', { body: [event] })).status).toBe(400);
    expect((await t.call('POST', '/v1/events', { body: { events: [] } })).status).toBe(400);
    expect((await t.call('POST', '/v1/events', { body: { events: [event], extra: 1 } })).status).toBe(400);
    expect((await t.call('GET', `/v1/prompts/${SLUG}/results?from=yesterday`)).status).toBe(400);
  });

  it('needs a key', async () => {
    expect((await t.call('POST', '/v1/events', { key: null, body: { events: [] } })).status).toBe(401);
    expect((await t.call('GET', `/v1/prompts/${SLUG}/results`, { key: null })).status).toBe(401);
  });

  describe('a batch mixing two slugs, a repeated id and a refused event', () => {
    const LEFT = 'exp-mix-left';
    const RIGHT = 'exp-mix-right';

    beforeAll(async () => {
      for (const slug of [LEFT, RIGHT]) await seedPrompt(t, slug, { count: 2, prod: 1, staging: [2] });
    });

    it('answers in order and counts each slug exactly once per id, also when the batch is retried', async () => {
      const event = (slug: string, id: string, version: number, outcome: string, completionTokens: number) => ({ id, slug, version, targetingKey: `k-${id}`, outcome, completionTokens });
      const events = [
        event(LEFT, 'm1', 1, 'accepted', 10),
        event(RIGHT, 'm1', 2, 'rejected', 20),
        event(LEFT, 'm2', 2, 'accepted', 30),
        event(LEFT, 'm1', 2, 'rejected', 999),
        { ...event(RIGHT, 'm2', 1, 'accepted', 40), latencyMs: -1 },
        event(RIGHT, 'm3', 1, 'accepted', 50),
      ];
      const first = await t.call('POST', '/v1/events', { body: { events } });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ accepted: 4, duplicates: 1, refused: 1 });
      expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'duplicate', 'refused', 'accepted']);
      expect(first.body.results[4].errors).toEqual([{ field: 'latencyMs', message: 'must be a finite non-negative number' }]);

      const retry = await t.call('POST', '/v1/events', { body: { events } });
      expect(retry.body).toMatchObject({ accepted: 0, duplicates: 5, refused: 1 });

      const versionsOf = async (slug: string) => (await t.call('GET', `/v1/prompts/${slug}/results?${window()}`)).body.versions as { version: number; calls: number; tokensPerCall: number; outcomes: Record<string, { count: number }> }[];
      expect((await versionsOf(LEFT)).map((v) => [v.version, v.calls, v.tokensPerCall, v.outcomes.accepted.count])).toEqual([
        [1, 1, 10, 1],
        [2, 1, 30, 1],
      ]);
      expect((await versionsOf(RIGHT)).map((v) => [v.version, v.calls, v.tokensPerCall, v.outcomes.accepted.count])).toEqual([
        [1, 1, 50, 1],
        [2, 1, 20, 0],
      ]);
    });
  });

  describe('a skewed exposure stream from an in-process client', () => {
    const SKEW = 'exp-skew';

    beforeAll(async () => {
      await seedPrompt(t, SKEW, { count: 2, prod: 1, staging: [2] });
      expect((await putRollout(t, SKEW, { allocation: [{ version: 1, weight: 50 }, { version: 2, weight: 50 }], rules: [] })).status).toBe(200);
    });

    it('flags a sample-ratio mismatch, and gives no verdict below the minimum sample', async () => {
      const hash = (i: number) => i.toString(16).padStart(64, '0');
      const exposures = Array.from({ length: 1000 }, (_, i) => ({ slug: SKEW, version: i < 600 ? 1 : 2, variant: i < 600 ? 'v1' : 'v2', revision: 2, targetingKeyHash: hash(i), at: new Date().toISOString() }));
      const res = await t.call('POST', '/v1/exposures', { body: { exposures } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ accepted: 1000, refused: 0, errors: [] });
      const refused = await t.call('POST', '/v1/exposures', { body: { exposures: [{ ...exposures[0], targetingKeyHash: 'raw-user-id' }] } });
      expect(refused.body).toMatchObject({ accepted: 0, refused: 1, errors: [{ index: 0, errors: [{ field: 'targetingKeyHash' }] }] });

      const events = Array.from({ length: 40 }, (_, i) => ({ id: `skew-${i}`, slug: SKEW, version: (i % 2) + 1, targetingKey: `u${i}`, outcome: i % 4 < 2 ? 'accepted' : 'rejected' }));
      expect((await t.call('POST', '/v1/events', { body: { events } })).body.accepted).toBe(40);

      const { body } = await t.call('GET', `/v1/prompts/${SKEW}/results?${window()}`);
      // 600 vs 400 at 50/50: χ² = 40 on 1 df, p ≈ 2.5e-10.
      expect(body.srm.mismatch).toBe(true);
      expect(body.srm.pValue).toBeLessThan(1e-9);
      expect(body.versions.map((v: { exposures: number }) => v.exposures)).toEqual([600, 400]);
      expect(body.versions[1].sufficientSample).toBe(false);
      expect(body.versions[1].outcomes.accepted.diff.verdict).toBe('insufficient-sample');
    });
  });
});
