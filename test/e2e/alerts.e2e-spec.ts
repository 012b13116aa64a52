import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertMonitor } from '../../src/experiments/alerts/alert-monitor.service';
import { GuardrailChecker } from '../../src/experiments/alerts/guardrail-checker.service';
import { ExposureRecorder } from '../../src/experiments/exposure-recorder.service';
import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import { AuditLog } from '../../src/store/ports/prompt-store.port';
import { createReplica, createTestApp, type TestApp } from '../helpers/create-test-app';
import { putRollout, seedPrompt, waitFor } from '../helpers/seed';

const SLUG = 'alert-ab';
const USERS = 1600;
/** Acceptance per version, by event index (deterministic): B (v2) accepts 40 % against A's 60 %. */
const ACCEPTED_OF_TEN = { 1: 6, 2: 4 } as Record<number, number>;

interface Captured {
  path: string;
  body: Record<string, unknown>;
  status: number;
}

/** A webhook receiver on 127.0.0.1: answers 500 to the first POST on /generic, 200 to everything else. */
async function startCapture(): Promise<{ server: Server; url: string; requests: Captured[] }> {
  const requests: Captured[] = [];
  let genericSeen = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const status = req.url === '/generic' && genericSeen++ === 0 ? 500 : 200;
      requests.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown>, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('Alerts (e2e, Redis): breaches, webhook delivery once across runs and replicas', () => {
  let a: TestApp;
  let b: TestApp;
  let capture: Awaited<ReturnType<typeof startCapture>>;

  beforeAll(async () => {
    capture = await startCapture();
    const overrides = {
      ALERT_INTERVAL_SECONDS: 0,
      ALERT_WEBHOOK_URLS: `${capture.url}/generic,slack:${capture.url}/slack`,
      ALERT_WEBHOOK_BACKOFF_MS: 20,
      ALERT_WEBHOOK_TIMEOUT_MS: 2000,
    };
    a = await createTestApp({ store: 'redis', overrides });
    await seedPrompt(a, SLUG, { count: 2, prod: 1, staging: [2] });
    expect((await putRollout(a, SLUG, { allocation: [{ version: 1, weight: 50 }, { version: 2, weight: 50 }], rules: [] })).status).toBe(200);

    const resolver = a.app.get(PromptResolver);
    let probe = 0;
    await waitFor(async () => resolver.resolve(SLUG, { targetingKey: `probe-${probe++}` }).version === 2);
    const versionOf = new Map<string, number>();
    for (let i = 0; i < USERS; i++) versionOf.set(`user-${i}`, resolver.resolve(SLUG, { targetingKey: `user-${i}` }).version);
    await a.app.get(ExposureRecorder).flushAll();

    const events = [...versionOf].map(([key, version], i) => ({
      id: `evt-${i}`,
      slug: SLUG,
      version,
      targetingKey: key,
      outcome: i % 10 < ACCEPTED_OF_TEN[version] ? 'accepted' : 'rejected',
      latencyMs: 800,
      promptTokens: 300,
      completionTokens: 100,
      finishReason: 'stop',
    }));
    for (let i = 0; i < events.length; i += 1000) {
      const res = await a.call('POST', '/v1/events', { body: { events: events.slice(i, i + 1000) } });
      expect(res.body).toMatchObject({ refused: 0, duplicates: 0 });
    }
    // A second replica on the same Redis prefix, booted after the seed so it serves the slug.
    b = await createReplica(a, overrides);
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await new Promise((resolve) => capture?.server.close(resolve));
  });

  it('GET /alerts lists B\'s significant outcome-rate drop, with values and the runbook link', async () => {
    const res = await a.call('GET', `/v1/prompts/${SLUG}/alerts`);
    expect(res.status).toBe(200);
    expect(res.body.rules).toMatchObject({ outcomeDropRelative: 0.1, p95LatencyUpRelative: 0.25, tokensPerCallUpRelative: 0.2, lengthShareAbove: 0.05, srm: true });
    expect(res.body.breaches).toHaveLength(1);
    const [breach] = res.body.breaches;
    expect(breach).toMatchObject({ slug: SLUG, version: 2, metric: 'outcome-rate-drop', threshold: 0.1, runbookUrl: 'docs/runbooks.md#outcome-rate-drop', evidence: { outcome: 'accepted' } });
    expect(breach.baselineValue).toBeCloseTo(0.6, 1);
    expect(breach.value).toBeCloseTo(0.4, 1);
    expect(breach.evidence.pValue).toBeLessThan(0.05);
  });

  it('GuardrailChecker.check reports the candidate\'s breaches only', async () => {
    expect((await a.app.get(GuardrailChecker).check(SLUG, 2)).map((x) => x.metric)).toEqual(['outcome-rate-drop']);
    expect(await a.app.get(GuardrailChecker).check(SLUG, 1)).toEqual([]);
  });

  it('delivers each alert once per webhook across two runs and two replicas, retrying after a 500', async () => {
    const now = new Date();
    const first = await a.app.get(AlertMonitor).run(now);
    const second = await b.app.get(AlertMonitor).run(now);
    const third = await a.app.get(AlertMonitor).run(now);
    expect(first).toMatchObject({ delivered: 2, skipped: 0, failed: 0 });
    expect(second).toMatchObject({ delivered: 0, skipped: 2 });
    expect(third).toMatchObject({ delivered: 0, skipped: 2 });

    const generic = capture.requests.filter((r) => r.path === '/generic');
    expect(generic.map((r) => r.status)).toEqual([500, 200]);
    expect(generic[1].body).toEqual(generic[0].body);
    expect(generic[1].body).toMatchObject({ kind: 'promptflag.alert', slug: SLUG, version: 2, metric: 'outcome-rate-drop', runbookUrl: 'docs/runbooks.md#outcome-rate-drop' });
    expect(generic[1].body.summary).toContain('"alert-ab" v2');
  });

  it('sends the Slack-compatible body {text, blocks} to a slack: webhook', () => {
    const slack = capture.requests.filter((r) => r.path === '/slack');
    expect(slack).toHaveLength(1);
    expect(Object.keys(slack[0].body).sort()).toEqual(['blocks', 'text']);
    expect(slack[0].body.text).toContain('"alert-ab" v2');
    expect(JSON.stringify(slack[0].body.blocks)).toContain('docs/runbooks.md#outcome-rate-drop');
  });

  it('PUT /alert-rules needs experimenter, is audited, and changes what breaches', async () => {
    const key = await a.call('POST', '/v1/keys', { body: { name: 'reader-1', role: 'reader' } });
    expect(key.status).toBe(201);
    expect((await a.call('PUT', `/v1/prompts/${SLUG}/alert-rules`, { body: { outcomeDropRelative: 0.5 }, key: key.body.key })).status).toBe(403);
    expect((await a.call('PUT', `/v1/prompts/${SLUG}/alert-rules`, { body: { outcomeDropRelative: -1 } })).status).toBe(400);

    const put = await a.call('PUT', `/v1/prompts/${SLUG}/alert-rules`, { body: { outcomeDropRelative: 0.5, reason: 'only big drops' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ slug: SLUG, overrides: { outcomeDropRelative: 0.5 }, rules: { outcomeDropRelative: 0.5, p95LatencyUpRelative: 0.25 } });
    expect((await b.call('GET', `/v1/prompts/${SLUG}/alert-rules`)).body.overrides).toEqual({ outcomeDropRelative: 0.5 });
    expect((await a.call('GET', `/v1/prompts/${SLUG}/alerts`)).body.breaches).toEqual([]);

    const audit = await a.app.get(AuditLog).list({ limit: 20 });
    expect(audit.find((e) => e.action === 'alert-rules.replace')).toMatchObject({ slug: SLUG, before: {}, after: { outcomeDropRelative: 0.5 }, reason: 'only big drops' });
  });
});
