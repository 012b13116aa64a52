/**
 * Figure: outcome events ingested per second through `POST /v1/events` into Redis, vs a bare Fastify route taking
 * the same bodies, same run; then `GET /v1/prompts/{slug}/results` time over what HTTP ingested, and again after a
 * bulk seed has brought the slug to BENCH_EVENTS_TOTAL (default 10,000,000) stored events.
 *
 * Redis: REDIS_URL when set, else a throwaway `redis-server` (no persistence) started here on a free port and
 * stopped at the end. The app (core 0) and the HTTP figure's bare Fastify server (core 0) are children; the
 * orchestrator sends the load: 8 concurrent loops POSTing batches of 1,000 events with fresh ids. The bulk seed runs
 * inside the app process through the same ExperimentsService.recordEvents the route calls (same validation, same
 * store call, same id markers), with SEED_BATCH events per call instead of HTTP's 1,000.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { HOUR_MS } from '../src/experiments/domain/experiment-records';
import { ExperimentsService } from '../src/experiments/experiments.service';
import { RedisServer } from '../test/helpers/redis-server';
import { bootApp, BENCH_ADMIN_KEY } from './lib/boot-app';
import { BenchChild, report, runChild, type BenchMessage } from './lib/child';
import { seedViaServices } from './lib/seed';
import { summarize, type Summary } from './lib/stats';

const SLUG = 'support-triage';
const BATCH = 1000;
const CONCURRENCY = 8;
/** Events per in-process recordEvents call while seeding, and how many such calls are in flight. */
const SEED_BATCH = 5_000;
const SEED_IN_FLIGHT = 3;
const QUERY_WARMUP = 10;
const QUERY_TIMED = 200;
/** The whole figure as JSON (gitignored): RESULTS.md shows only part of it. */
const FIGURE_FILE = join(__dirname, '..', '..', 'bench', '.tmp', 'events-figure.json');

export interface EventsTarget {
  name: string;
  seconds: number;
  events: number;
  eventsPerSec: number;
  roundEventsPerSec: number[];
  errors: number;
}

export interface SeedRun {
  events: number;
  seconds: number;
  eventsPerSec: number;
  batch: number;
  inFlight: number;
  /** Hours the seeded events are spread over (all inside the results query's default 24 h window). */
  hours: number;
}

export interface RedisFootprint {
  usedMemoryBytes: number;
  keys: number;
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
  /** Results query over everything stored (HTTP + seed): the 10M point. */
  resultsMs: Summary;
  healthMs: Summary;
  eventsStored: number;
  /** Results query over the HTTP-ingested events only, before the seed. */
  resultsAtIngestedMs: Summary;
  healthAtIngestedMs: Summary;
  eventsIngested: number;
  seed: SeedRun;
  redisBeforeSeed: RedisFootprint;
  redisAfterSeed: RedisFootprint;
  /** Sum of `calls` over the versions in the results answer: must equal eventsStored. */
  callsInResults: number;
  loadAverage: { beforeSeed: number[]; afterQueries: number[] };
}

/** The i-th bench event: the same shape over HTTP and in the seed (the seed adds `ts`). */
function benchEvent(i: number): Record<string, unknown> {
  return {
    id: `evt-${i}`,
    slug: SLUG,
    version: 1 + (i % 2),
    targetingKey: `user-${i % 100_000}`,
    outcome: i % 3 === 0 ? 'accepted' : 'rejected',
    latencyMs: 200 + (i % 700),
    promptTokens: 300 + (i % 100),
    completionTokens: 50 + (i % 150),
    finishReason: 'stop',
  };
}

async function redisFootprint(client: Redis): Promise<RedisFootprint> {
  const info = await client.info('memory');
  const used = /used_memory:(\d+)/.exec(info);
  return { usedMemoryBytes: Number(used?.[1] ?? NaN), keys: await client.dbsize() };
}

export async function runEventsFigure(): Promise<EventsFigure> {
  const seconds = Number(process.env.BENCH_EVENTS_SECONDS ?? 10);
  const rounds = Math.max(1, Number(process.env.BENCH_EVENTS_ROUNDS ?? 2));
  const total = Number(process.env.BENCH_EVENTS_TOTAL ?? 10_000_000);
  const own = process.env.REDIS_URL ? undefined : await RedisServer.start();
  const redisUrl = process.env.REDIS_URL || (own?.url as string);
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
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
      for (let k = 0; k < BATCH; k++) events.push(benchEvent(nextId++));
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

    const resultsPath = `/v1/prompts/${SLUG}/results`;
    const timeGet = async (path: string) => {
      const started = performance.now();
      const res = await fetch(`${app.url}${path}`, { headers });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 400)}`);
      return { ms: performance.now() - started, text };
    };
    const timeQueries = async () => {
      const results: number[] = [];
      const health: number[] = [];
      for (let i = 0; i < QUERY_WARMUP + QUERY_TIMED; i++) {
        health.push((await timeGet('/health')).ms);
        results.push((await timeGet(resultsPath)).ms);
      }
      return { results: summarize(results.slice(QUERY_WARMUP)), health: summarize(health.slice(QUERY_WARMUP)) };
    };
    const atIngested = await timeQueries();
    const eventsIngested = stored;

    const loadBeforeSeed = loadavg();
    const redisBeforeSeed = await redisFootprint(redis);
    appServer.send({ type: 'seed', firstId: nextId, count: Math.max(0, total - stored) });
    const seed = (await appServer.next<BenchMessage & { run: SeedRun; accepted: number }>('seeded', 30 * 60_000));
    stored += seed.accepted;
    const redisAfterSeed = await redisFootprint(redis);
    const atTotal = await timeQueries();
    const answer = JSON.parse((await timeGet(resultsPath)).text) as { versions: { calls: number }[] };
    const callsInResults = answer.versions.reduce((sum, v) => sum + v.calls, 0);
    if (callsInResults !== stored) throw new Error(`results count ${callsInResults} calls, but ${stored} events were accepted`);

    const asTarget = (t: number): EventsTarget => ({
      name: targets[t].name,
      seconds: measured[t].seconds,
      events: measured[t].events,
      eventsPerSec: measured[t].events / measured[t].seconds,
      roundEventsPerSec: measured[t].rounds,
      errors: measured[t].errors,
    });
    const figure: EventsFigure = {
      redis: own ? 'throwaway redis-server started by the bench' : 'REDIS_URL',
      pinned: { server: appServer.pinnedTo ?? null },
      rounds,
      seconds,
      bare: asTarget(0),
      app: asTarget(1),
      refused,
      duplicates,
      resultsMs: atTotal.results,
      healthMs: atTotal.health,
      eventsStored: stored,
      resultsAtIngestedMs: atIngested.results,
      healthAtIngestedMs: atIngested.health,
      eventsIngested,
      seed: seed.run,
      redisBeforeSeed,
      redisAfterSeed,
      callsInResults,
      loadAverage: { beforeSeed: loadBeforeSeed, afterQueries: loadavg() },
    };
    mkdirSync(dirname(FIGURE_FILE), { recursive: true });
    writeFileSync(FIGURE_FILE, `${JSON.stringify(figure, null, 2)}\n`);
    return figure;
  } finally {
    await Promise.all([bareServer.stop(), appServer.stop()]);
    redis.disconnect();
    await own?.kill();
  }
}

/**
 * Stores `count` events with ids from `firstId` through ExperimentsService.recordEvents, SEED_BATCH per call with
 * SEED_IN_FLIGHT calls in flight, dated over the last hours so the default results window covers them all.
 */
async function seedEvents(service: ExperimentsService, firstId: number, count: number): Promise<{ run: SeedRun; accepted: number }> {
  const hours = 23;
  const started = performance.now();
  const now = Date.now();
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    while (next < count) {
      const from = next;
      const to = Math.min(count, from + SEED_BATCH);
      next = to;
      const events = [];
      for (let k = from; k < to; k++) {
        const i = firstId + k;
        events.push({ ...benchEvent(i), ts: now - (i % hours) * HOUR_MS });
      }
      const answer = await service.recordEvents(events, now);
      if (answer.accepted !== events.length) throw new Error(`seed batch at ${from}: ${answer.refused} refused, ${answer.duplicates} duplicates`);
      accepted += answer.accepted;
      if (Math.floor(from / 1_000_000) !== Math.floor(to / 1_000_000)) process.stderr.write(`bench: events seeded ${to.toLocaleString('en')} / ${count.toLocaleString('en')}\n`);
    }
  };
  await Promise.all(Array.from({ length: SEED_IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { run: { events: count, seconds, eventsPerSec: count / seconds, batch: SEED_BATCH, inFlight: SEED_IN_FLIGHT, hours }, accepted };
}

async function serverChild(): Promise<void> {
  // A longer Redis command timeout than the 2 s default: on a shared 2-core machine the seed's writes can queue behind
  // each other long enough to trip it, which would end the figure without saying anything about ingestion.
  const bench = await bootApp({ listen: true, overrides: { SYNC_PORT: 0, REDIS_COMMAND_TIMEOUT_MS: 30_000 } });
  await seedViaServices(bench.app, SLUG);
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'stop') void bench.close().finally(() => process.exit(0));
    if (message.type === 'seed') {
      seedEvents(bench.app.get(ExperimentsService), Number(message.firstId), Number(message.count)).then(
        (seeded) => report({ type: 'seeded', ...seeded }),
        (error: unknown) => report({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
    }
  });
  await report({ type: 'ready', url: bench.baseUrl });
  await new Promise(() => {});
}

if (require.main === module) {
  if (process.argv[2] === 'server') runChild(serverChild, { exitWhenDone: false });
}
