/**
 * Figure: outcome events ingested per second through `POST /v1/events` into Redis, vs a bare Fastify route taking
 * the same bodies, same run; then `GET /v1/prompts/{slug}/results` time over what was ingested.
 *
 * Redis: REDIS_URL when set, else a throwaway `redis-server` (no persistence) started here on a free port and
 * stopped at the end. The app (core 0) and the HTTP figure's bare Fastify server (core 0) are children; the
 * orchestrator sends the load: 8 concurrent loops POSTing batches of 1,000 events with fresh ids.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bootApp, BENCH_ADMIN_KEY } from './lib/boot-app';
import { BenchChild, report, runChild, type BenchMessage } from './lib/child';
import { seedViaServices } from './lib/seed';
import { summarize, type Summary } from './lib/stats';

const SLUG = 'support-triage';
const BATCH = 1000;
const CONCURRENCY = 8;

export interface EventsTarget {
  name: string;
  seconds: number;
  events: number;
  eventsPerSec: number;
  roundEventsPerSec: number[];
  errors: number;
}

export interface EventsFigure {
  redis: string;
  pinned: { server: number | null };
  rounds: number;
  seconds: number;
  bare: EventsTarget;
  app: EventsTarget;
  refused: number;
  duplicates: number;
  resultsMs: Summary;
  healthMs: Summary;
  eventsStored: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.once('error', (error) => reject(new Error(`cannot run redis-server: ${error.message}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { url: `redis://127.0.0.1:${port}`, child };
}

export async function runEventsFigure(): Promise<EventsFigure> {
  const seconds = Number(process.env.BENCH_EVENTS_SECONDS ?? 10);
  const rounds = Math.max(1, Number(process.env.BENCH_EVENTS_ROUNDS ?? 2));
  const own = process.env.REDIS_URL ? undefined : await startRedis();
  const redisUrl = process.env.REDIS_URL || (own?.url as string);
  const httpBench = join(__dirname, 'http-resolve.bench.js');
  const bareServer = new BenchChild(httpBench, ['server', 'bare'], { cpu: 0 });
  const appServer = new BenchChild(__filename, ['server'], { cpu: 0, stdout: 'ignore', env: { REDIS_URL: redisUrl } });
  try {
    const bare = await bareServer.next<BenchMessage & { url: string }>('ready');
    const app = await appServer.next<BenchMessage & { url: string }>('ready');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_KEY}` };
    let nextId = 0;
    const batchBody = () => {
      const events = [];
      for (let k = 0; k < BATCH; k++) {
        const i = nextId++;
        events.push({ id: `evt-${i}`, slug: SLUG, version: 1 + (i % 2), targetingKey: `user-${i % 100_000}`, outcome: i % 3 === 0 ? 'accepted' : 'rejected', latencyMs: 200 + (i % 700), promptTokens: 300 + (i % 100), completionTokens: 50 + (i % 150), finishReason: 'stop' });
      }
      return JSON.stringify({ events });
    };
    let refused = 0;
    let duplicates = 0;
    let stored = 0;
    const load = async (url: string, ms: number, isApp: boolean) => {
      const deadline = performance.now() + ms;
      let events = 0;
      let errors = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < deadline) {
            const res = await fetch(url, { method: 'POST', headers, body: batchBody() });
            const text = await res.text();
            if (res.status !== 200) {
              errors++;
              continue;
            }
            if (isApp) {
              const answer = JSON.parse(text) as { accepted: number; duplicates: number; refused: number };
              events += answer.accepted;
              stored += answer.accepted;
              refused += answer.refused;
              duplicates += answer.duplicates;
            } else events += BATCH;
          }
        }),
      );
      return { events, errors, seconds: (performance.now() - started) / 1000 };
    };
    const targets = [
      { name: 'bare Fastify POST /bare (same 1,000-event bodies, parsed, not stored)', url: `${bare.url}/bare`, isApp: false },
      { name: 'POST /v1/events (validated, stored in Redis)', url: `${app.url}/v1/events`, isApp: true },
    ];
    const check = await fetch(targets[1].url, { method: 'POST', headers, body: batchBody() });
    const checkText = await check.text();
    if (check.status !== 200 || (JSON.parse(checkText) as { accepted: number }).accepted !== BATCH) throw new Error(`POST /v1/events answered ${check.status}: ${checkText.slice(0, 400)}`);
    stored += BATCH;
    for (const t of targets) await load(t.url, 1000, t.isApp);
    const measured = targets.map(() => ({ events: 0, errors: 0, seconds: 0, rounds: [] as number[] }));
    for (let r = 0; r < rounds; r++) {
      for (let t = 0; t < targets.length; t++) {
        const run = await load(targets[t].url, (seconds / rounds) * 1000, targets[t].isApp);
        measured[t].events += run.events;
        measured[t].errors += run.errors;
        measured[t].seconds += run.seconds;
        measured[t].rounds.push(run.events / run.seconds);
      }
    }
    const timeGet = async (path: string) => {
      const started = performance.now();
      const res = await fetch(`${app.url}${path}`, { headers });
      await res.text();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
      return performance.now() - started;
    };
    const results: number[] = [];
    const health: number[] = [];
    for (let i = 0; i < 50; i++) {
      health.push(await timeGet('/health'));
      results.push(await timeGet(`/v1/prompts/${SLUG}/results`));
    }
    const asTarget = (t: number): EventsTarget => ({
      name: targets[t].name,
      seconds: measured[t].seconds,
      events: measured[t].events,
      eventsPerSec: measured[t].events / measured[t].seconds,
      roundEventsPerSec: measured[t].rounds,
      errors: measured[t].errors,
    });
    return {
      redis: own ? 'throwaway redis-server started by the bench' : 'REDIS_URL',
      pinned: { server: appServer.pinnedTo ?? null },
      rounds,
      seconds,
      bare: asTarget(0),
      app: asTarget(1),
      refused,
      duplicates,
      resultsMs: summarize(results.slice(5)),
      healthMs: summarize(health.slice(5)),
      eventsStored: stored,
    };
  } finally {
    await Promise.all([bareServer.stop(), appServer.stop()]);
    if (own) own.child.kill('SIGKILL');
  }
}

async function serverChild(): Promise<void> {
  const bench = await bootApp({ listen: true, overrides: { SYNC_PORT: 0 } });
  await seedViaServices(bench.app, SLUG);
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'stop') void bench.close().finally(() => process.exit(0));
  });
  await report({ type: 'ready', url: bench.baseUrl });
  await new Promise(() => {});
}

if (require.main === module) {
  if (process.argv[2] === 'server') runChild(serverChild, { exitWhenDone: false });
}
