import { TIMED_EVERY } from '../../src/flags/prompt-resolver.service';
import { MetricsService } from '../../src/metrics/metrics.service';
import { createTestApp, type TestApp } from '../helpers/create-test-app';
import { seedPrompt, waitFor } from '../helpers/seed';

const SLUG = 'metrics-a';

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics (e2e, Redis): Prometheus exposition', () => {
  let t: TestApp;
  const scrape = async () => {
    const res = await t.call('GET', '/metrics', { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.body as string;
  };

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis' });
    await seedPrompt(t, SLUG, { count: 1, prod: 1 });
  });

  afterAll(() => t?.close());

  it('is public and lists every series, before any traffic', async () => {
    const text = await scrape();
    for (const name of ['promptflag_resolves_total', 'promptflag_resolve_duration_seconds', 'promptflag_events_total', 'promptflag_exposures_dropped_total', 'promptflag_kill_switch_active', 'promptflag_ramp_step']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(sample(text, 'promptflag_exposures_dropped_total')).toBe(0);
  });

  it('counts every resolve by slug, version and reason, and times a 1-in-16 sample of them', async () => {
    let reason = '';
    for (let i = 0; i < 2 * TIMED_EVERY; i++) {
      const res = await t.call('POST', `/v1/prompts/${SLUG}/resolve`, { body: { targetingKey: `u-${i}` } });
      expect(res.status).toBe(200);
      reason = res.body.reason;
    }
    const text = await scrape();
    expect(sample(text, `promptflag_resolves_total{slug="${SLUG}",version="1",reason="${reason}"}`)).toBe(2 * TIMED_EVERY);
    // Any 32 consecutive resolves hold exactly two sampled ones, whatever ran before.
    expect(sample(text, 'promptflag_resolve_duration_seconds_count')).toBe(2);
    expect(sample(text, 'promptflag_resolve_duration_seconds_bucket{le="+Inf"}')).toBe(2);
    expect(sample(text, 'promptflag_resolve_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('counts outcome events accepted, duplicate and refused', async () => {
    const events = [
      { id: 'm-1', slug: SLUG, version: 1, targetingKey: 'u-1', outcome: 'accepted' },
      { id: 'm-2', slug: SLUG, version: 1, targetingKey: 'u-2', outcome: 'rejected' },
      { id: 'm-bad', slug: SLUG, version: 1 },
    ];
    expect((await t.call('POST', '/v1/events', { body: { events } })).body).toMatchObject({ accepted: 2, duplicates: 0, refused: 1 });
    expect((await t.call('POST', '/v1/events', { body: { events: [events[0]] } })).body).toMatchObject({ accepted: 0, duplicates: 1 });
    const text = await scrape();
    expect(sample(text, 'promptflag_events_total{status="accepted"}')).toBe(2);
    expect(sample(text, 'promptflag_events_total{status="duplicate"}')).toBe(1);
    expect(sample(text, 'promptflag_events_total{status="refused"}')).toBe(1);
  });

  it('shows the kill switch per slug from the served flag, and the ramp step the ramp code sets', async () => {
    expect(sample(await scrape(), `promptflag_kill_switch_active{slug="${SLUG}"}`)).toBe(0);
    const kill = await t.call('POST', `/v1/prompts/${SLUG}/kill`, { body: { reason: 'metrics test' } });
    expect(kill.status).toBe(200);
    await waitFor(async () => sample(await scrape(), `promptflag_kill_switch_active{slug="${SLUG}"}`) === 1);

    t.app.get(MetricsService).setRampStep(SLUG, 25);
    expect(sample(await scrape(), `promptflag_ramp_step{slug="${SLUG}"}`)).toBe(25);
    t.app.get(MetricsService).setRampStep(SLUG, null);
    expect(sample(await scrape(), `promptflag_ramp_step{slug="${SLUG}"}`)).toBeUndefined();
  });
});

describe('GET /metrics with METRICS_ENABLED=false', () => {
  it('answers 404', async () => {
    const t = await createTestApp({ store: 'embedded', overrides: { METRICS_ENABLED: false } });
    try {
      expect((await t.call('GET', '/metrics', { key: null })).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
