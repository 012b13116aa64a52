/**
 * Figure 2: HTTP POST /v1/prompts/{slug}/resolve at 50 connections vs a bare Fastify route, same run.
 *
 * Three processes: the load generator (autocannon, programmatic API) pinned to core 1, and two servers pinned to
 * core 0: the real Nest app (embedded store unless REDIS_URL is set) and a bare Fastify (the same fastify package
 * Nest's adapter uses) with `POST /bare` answering `{"ok":true}`. Both servers stay up; the generator alternates
 * between them (bare, app, bare, app …) with identical settings and the same rotating request bodies.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import fastify, { type FastifyInstance } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { presentedKey } from '../src/auth/api-key.guard';
import { ApiKeyService } from '../src/auth/api-key.service';
import { PromptResolver, type ResolveRequest } from '../src/flags/prompt-resolver.service';
import { bootApp, BENCH_ADMIN_KEY } from './lib/boot-app';
import { BenchChild, expectMessage, report, runChild, type BenchMessage } from './lib/child';
import { attribute, type CostGroup, type GroupShare, type HotFunction } from './lib/cpuprofile';
import { resolveBody } from './lib/fixtures';
import { profileWhile } from './lib/inspector-profile';
import { seedViaServices } from './lib/seed';

const SLUG = 'support-triage';

/** Where the app server's CPU goes, as non-overlapping groups of its profile (see attribute()). */
export const APP_COST_GROUPS: CostGroup[] = [
  { name: 'PromptResolver.resolve (flag evaluation + render)', frames: [{ fn: 'resolve', url: 'flags/prompt-resolver.service.js' }] },
  {
    name: 'Validation pipe (ResolveRequestDto.acceptsAsIs; class-transformer + class-validator for other bodies)',
    frames: [
      { fn: 'transform', url: 'common/http/validation.pipe.js' },
      { fn: 'transform', url: '@nestjs/common/pipes/validation.pipe.js' },
    ],
  },
  { name: 'Access log hook (one line per request when info is enabled and the route logs successes)', frames: [{ fn: 'logAccess', url: 'common/http/access-log.hooks.js' }] },
  {
    name: "async_hooks (Fastify's AsyncResource per body parse; the app itself runs no AsyncLocalStorage)",
    frames: ['bind', 'promiseInitHook', 'promiseBeforeHook', 'promiseAfterHook', 'promiseResolveHook', '_propagate', 'lookupPublicResource'].map((fn) => ({ fn, url: 'async_hooks' })),
  },
  { name: 'Exposure recording (buffer flush into the store)', frames: [{ fn: 'flush', url: 'experiments/exposure-recorder.service.js' }] },
  { name: 'ApiKeyGuard (role lookup, failure limiter, key memo; sha256 only for a key not seen before)', frames: [{ fn: 'canActivate', url: 'auth/api-key.guard.js' }] },
  { name: 'Request body JSON parse (secure-json-parse)', frames: [{ fn: '_parse', url: 'secure-json-parse' }] },
  { name: 'Response JSON.stringify (Fastify serialize)', frames: [{ fn: 'serialize', url: 'fastify/lib/reply.js' }] },
  { name: 'Socket writes (writev)', frames: [{ fn: 'writev', url: '' }, { fn: 'writevGeneric', url: 'stream_base_commons' }] },
  { name: 'Garbage collection', frames: [{ fn: '(garbage collector)', url: '' }] },
];
/** Continuations that run the rest of the request inline: a middleware is charged only up to its `next`. */
export const PASS_THROUGH = [{ fn: 'nextOnce', url: 'platform-fastify/adapters/fastify-adapter.js' }];
export const REST = 'Everything else: Nest + Fastify + Node HTTP (routing, hooks, middie, guard/pipe/interceptor plumbing, promises, HTTP parsing)';
const BODIES = 4096;

export interface LoadSettings {
  connections: number;
  pipelining: number;
  /** Measured seconds per target, split over `rounds`. */
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  bodies: number;
}

export interface LoadRun {
  url: string;
  seconds: number;
  requests: number;
  /** Completed responses per second over the run. */
  rps: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Latency in ms of every response, measured by the generator (float ms, not autocannon's integer histogram). */
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  /** autocannon's own p99 (integer-ms HDR histogram), for cross-checking. */
  autocannonP99Ms: number;
  /** Generator CPU over the run, fraction of one core. */
  generatorCpu: number;
  bytesPerResponse: number;
}

/** Gaps of more than {@link STALL_THRESHOLD_MS} between two clock reads of a busy loop that never yields. */
export interface StallProbe {
  seconds: number;
  count: number;
  totalMs: number;
  maxMs: number;
}

const STALL_THRESHOLD_MS = 0.5;

export interface TargetResult {
  name: string;
  runs: LoadRun[];
  total: LoadRun;
  /** Server CPU over the measured runs, fraction of one core. */
  serverCpu: number;
}

export interface HttpFigure {
  settings: LoadSettings;
  fastifyVersion: string;
  storeKind: string;
  logLevel: string;
  pinned: { server: number | null; generator: number | null };
  bare: TargetResult;
  app: TargetResult;
  /** What-if (bench code, not a service route): the same resolve on a plain Fastify route inside the app. */
  whatIf: TargetResult;
  /** One connection, one request at a time: the latency floor of this machine's loopback and scheduler. */
  oneConnection: { seconds: number; bare: LoadRun; app: LoadRun };
  /** A busy loop in the (idle) bare server's process: how often the machine stops a running process. */
  stalls: StallProbe;
  sample: { status: number; bytes: number; hasRendered: boolean; variant: string };
  profile: { file: string; hot: HotFunction[] };
  /** The app profile split into non-overlapping cost groups. */
  appCost: GroupShare[];
  bareProfile: { file: string; hot: HotFunction[] };
}

// ---- orchestrator -----------------------------------------------------------------------------------------------

export async function runHttpFigure(): Promise<HttpFigure> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const rounds = Math.max(1, Number(process.env.BENCH_HTTP_ROUNDS ?? 4));
  const settings: LoadSettings = { connections: 50, pipelining: 1, seconds, rounds, warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 3), bodies: BODIES };
  const bodies = Array.from({ length: BODIES }, (_, i) => JSON.stringify(resolveBody(i)));
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_KEY}` };

  const generator = new BenchChild(__filename, ['load'], { cpu: 1 });
  const bareServer = new BenchChild(__filename, ['server', 'bare'], { cpu: 0 });
  const appServer = new BenchChild(__filename, ['server', 'app'], { cpu: 0 });
  try {
    await generator.next('ready');
    const bare = await bareServer.next<BenchMessage & { url: string; fastifyVersion: string }>('ready');
    const app = await appServer.next<BenchMessage & { url: string; storeKind: string; logLevel: string }>('ready');
    const targets = [
      { name: 'bare Fastify POST /bare', server: bareServer, url: `${bare.url}/bare` },
      { name: `POST /v1/prompts/${SLUG}/resolve`, server: appServer, url: `${app.url}/v1/prompts/${SLUG}/resolve` },
      { name: `what-if: POST ${WHAT_IF_PREFIX}/v1/prompts/${SLUG}/resolve (plain Fastify route in the app)`, server: appServer, url: `${app.url}${WHAT_IF_PREFIX}/v1/prompts/${SLUG}/resolve` },
    ];

    // Sanity: both answer 200 with the bodies we send; the app renders.
    for (const target of targets) {
      const res = await fetch(target.url, { method: 'POST', headers, body: bodies[0] });
      if (res.status !== 200) throw new Error(`${target.name} answered ${res.status}: ${await res.text()}`);
    }
    const sampleRes = await fetch(targets[1].url, { method: 'POST', headers, body: bodies[1] });
    const sampleText = await sampleRes.text();
    const sampleJson = JSON.parse(sampleText) as { rendered?: string; variant: string };

    const run = async (url: string, secs: number, connections = settings.connections): Promise<LoadRun> => {
      generator.send({ type: 'run', url, seconds: secs, connections, pipelining: settings.pipelining, headers, bodies });
      return (await generator.next<BenchMessage & { run: LoadRun }>('load-result', (secs + 60) * 1000)).run;
    };
    const cpuMark = async (server: BenchChild) => {
      server.send({ type: 'cpu-mark' });
      return server.next<BenchMessage & { cpuUs: number; wallNs: number }>('cpu');
    };

    for (const target of targets) await run(target.url, settings.warmupSeconds);
    const runs: LoadRun[][] = targets.map(() => []);
    const cpu = targets.map(() => ({ cpuUs: 0, wallNs: 0 }));
    for (let round = 0; round < rounds; round++) {
      for (let t = 0; t < targets.length; t++) {
        const before = await cpuMark(targets[t].server);
        runs[t].push(await run(targets[t].url, seconds / rounds));
        const after = await cpuMark(targets[t].server);
        cpu[t].cpuUs += after.cpuUs - before.cpuUs;
        cpu[t].wallNs += after.wallNs - before.wallNs;
      }
    }

    bareServer.send({ type: 'stall-probe', seconds: 3 });
    const { stalls } = await bareServer.next<BenchMessage & { stalls: StallProbe }>('stall-probe-result');
    const oneConnectionSeconds = Number(process.env.BENCH_ONE_CONNECTION_SECONDS ?? 5);
    const oneConnection = {
      seconds: oneConnectionSeconds,
      bare: await run(targets[0].url, oneConnectionSeconds, 1),
      app: await run(targets[1].url, oneConnectionSeconds, 1),
    };

    // Separate, shorter runs with the sampling profiler on in each server (not part of the figures).
    const profiled = async (server: BenchChild, url: string) => {
      server.send({ type: 'profile', ms: 3000 });
      await run(url, 3);
      return server.next<BenchMessage & { file: string; hot: HotFunction[] }>('profile-result');
    };
    const bareProfile = await profiled(bareServer, targets[0].url);
    const profile = await profiled(appServer, targets[1].url);

    const results = targets.map((target, t): TargetResult => ({ name: target.name, runs: runs[t], total: combine(runs[t]), serverCpu: cpu[t].cpuUs / 1000 / (cpu[t].wallNs / 1e6) }));
    return {
      settings,
      fastifyVersion: bare.fastifyVersion,
      storeKind: app.storeKind,
      logLevel: app.logLevel,
      pinned: { server: appServer.pinnedTo ?? null, generator: generator.pinnedTo ?? null },
      bare: results[0],
      app: results[1],
      whatIf: results[2],
      oneConnection,
      stalls,
      sample: { status: sampleRes.status, bytes: Buffer.byteLength(sampleText), hasRendered: typeof sampleJson.rendered === 'string', variant: sampleJson.variant },
      profile: { file: profile.file, hot: profile.hot },
      appCost: attribute(profile.file, APP_COST_GROUPS, PASS_THROUGH, REST),
      bareProfile: { file: bareProfile.file, hot: bareProfile.hot },
    };
  } finally {
    await Promise.all([generator.stop(), bareServer.stop(), appServer.stop()]);
  }
}

/** Runs of one target as one: counts summed, latency percentiles weighted by request count (close enough across 2 rounds). */
export function combine(runs: LoadRun[]): LoadRun {
  const sum = (f: (r: LoadRun) => number) => runs.reduce((acc, r) => acc + f(r), 0);
  const requests = sum((r) => r.requests);
  const seconds = sum((r) => r.seconds);
  const weighted = (f: (r: LoadRun) => number) => sum((r) => f(r) * r.requests) / Math.max(1, requests);
  return {
    url: runs[0].url,
    seconds,
    requests,
    rps: requests / seconds,
    ok2xx: sum((r) => r.ok2xx),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    latencyMs: {
      p50: weighted((r) => r.latencyMs.p50),
      p90: weighted((r) => r.latencyMs.p90),
      p99: weighted((r) => r.latencyMs.p99),
      p999: weighted((r) => r.latencyMs.p999),
      max: Math.max(...runs.map((r) => r.latencyMs.max)),
      mean: weighted((r) => r.latencyMs.mean),
    },
    autocannonP99Ms: Math.max(...runs.map((r) => r.autocannonP99Ms)),
    generatorCpu: sum((r) => r.generatorCpu * r.seconds) / seconds,
    bytesPerResponse: weighted((r) => r.bytesPerResponse),
  };
}

// ---- children ---------------------------------------------------------------------------------------------------

async function serverChild(kind: string): Promise<void> {
  let url: string;
  let close: () => Promise<void>;
  if (kind === 'bare') {
    const server = fastify({ bodyLimit: 1024 * 1024, logger: false, return503OnClosing: true });
    server.removeContentTypeParser(['text/plain']);
    server.post('/bare', async () => ({ ok: true }));
    url = await server.listen({ port: 0, host: '127.0.0.1' });
    close = () => server.close();
    const { version } = require('fastify/package.json') as { version: string };
    await report({ type: 'ready', url, fastifyVersion: version });
  } else {
    const bench = await bootApp({ listen: true, overrides: { SYNC_PORT: 0 }, beforeStart: addWhatIfRoute });
    await seedViaServices(bench.app, SLUG);
    url = bench.baseUrl as string;
    close = bench.close;
    await report({ type: 'ready', url, storeKind: bench.storeKind, logLevel: bench.config.LOG_LEVEL });
  }
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'cpu-mark') {
      const usage = process.cpuUsage();
      void report({ type: 'cpu', cpuUs: usage.user + usage.system, wallNs: Number(process.hrtime.bigint()) });
    } else if (message.type === 'profile') {
      void profileWhile(`http-${kind}`, () => new Promise((resolve) => setTimeout(resolve, Number(message.ms)))).then((result) =>
        report({ type: 'profile-result', ...result }),
      );
    } else if (message.type === 'stall-probe') {
      void report({ type: 'stall-probe-result', stalls: probeStalls(Number(message.seconds)) });
    } else if (message.type === 'stop') {
      void close().finally(() => process.exit(0));
    }
  });
  await new Promise(() => {}); // serve until stopped
}

/** Spins for `seconds` (blocking this process) and counts the gaps in which it was not running. */
function probeStalls(seconds: number): StallProbe {
  const end = performance.now() + seconds * 1000;
  let last = performance.now();
  const probe: StallProbe = { seconds, count: 0, totalMs: 0, maxMs: 0 };
  while (last < end) {
    const now = performance.now();
    const gap = now - last;
    if (gap > STALL_THRESHOLD_MS) {
      probe.count += 1;
      probe.totalMs += gap;
      probe.maxMs = Math.max(probe.maxMs, gap);
    }
    last = now;
  }
  return probe;
}

const WHAT_IF_PREFIX = '/bench-what-if';

/**
 * What-if, bench code only: the resolve route registered straight on the app's Fastify instance (so Nest's router,
 * guard, ValidationPipe, interceptors and exception filter are not involved), with the body validated by a JSON
 * schema (Fastify compiles it with ajv), the same API key check (ApiKeyService.authenticate) and the same
 * PromptResolver.resolve. The app's Fastify hooks (request id, access log, OFREP body errors) still run. Error
 * answers are not mapped like the real route's (the bench sends only valid requests).
 */
function addWhatIfRoute(app: NestFastifyApplication): void {
  const instance = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const resolver = app.get(PromptResolver);
  const keys = app.get(ApiKeyService);
  instance.post<{ Params: { slug: string }; Body: ResolveRequest }>(
    `${WHAT_IF_PREFIX}/v1/prompts/:slug/resolve`,
    {
      schema: {
        params: { type: 'object', properties: { slug: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } }, required: ['slug'] },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['targetingKey'],
          properties: { targetingKey: { type: 'string', minLength: 1, maxLength: 256 }, context: { type: 'object' }, variables: { type: 'object' } },
        },
      },
    },
    async (request, reply) => {
      const key = presentedKey(request);
      const principal = key ? await keys.authenticate(key) : null;
      if (!principal) return reply.code(401).send({ statusCode: 401, message: 'The API key is not valid' });
      return resolver.resolve(request.params.slug, request.body);
    },
  );
}

async function loadChild(): Promise<void> {
  await report({ type: 'ready' });
  for (;;) {
    const message = (await expectMessage('run')) as BenchMessage & {
      url: string;
      seconds: number;
      connections: number;
      pipelining: number;
      headers: Record<string, string>;
      bodies: string[];
    };
    await report({ type: 'load-result', run: await load(message) });
  }
}

function load(options: { url: string; seconds: number; connections: number; pipelining: number; headers: Record<string, string>; bodies: string[] }): Promise<LoadRun> {
  const { bodies } = options;
  const latencies = new Float64Array(4_000_000);
  let count = 0;
  let next = 0;
  const parsed = new URL(options.url);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${parsed.protocol}//${parsed.host}`,
        connections: options.connections,
        pipelining: options.pipelining,
        duration: options.seconds,
        requests: [
          {
            method: 'POST',
            path: parsed.pathname,
            headers: options.headers,
            setupRequest: (request) => {
              request.body = bodies[next++ % bodies.length];
              return request;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const cpu = process.cpuUsage(cpuBefore);
        const wallMs = performance.now() - wallBefore;
        const sorted = Array.from(latencies.subarray(0, count)).sort((a, b) => a - b);
        const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
        resolve({
          url: options.url,
          seconds: result.duration,
          requests: result.requests.total,
          rps: result.requests.total / result.duration,
          ok2xx: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          latencyMs: { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: sorted[sorted.length - 1] ?? Number.NaN, mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length) },
          autocannonP99Ms: result.latency.p99,
          generatorCpu: (cpu.user + cpu.system) / 1000 / wallMs,
          bytesPerResponse: result.throughput.total / Math.max(1, result.requests.total),
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      if (count < latencies.length) latencies[count++] = ms;
    });
  });
}

if (require.main === module) {
  if (process.argv[2] === 'server') runChild(() => serverChild(process.argv[3]), { exitWhenDone: false });
  else if (process.argv[2] === 'load') runChild(loadChild, { exitWhenDone: false });
}
