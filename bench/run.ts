/**
 * `npm run bench`: runs the three figures, each in its own child processes and each against a reference measured
 * in the same run, then writes bench/RESULTS.md and prints a short summary.
 *
 * Environment: BENCH_SECONDS (HTTP seconds per target, default 10), BENCH_HTTP_ROUNDS (default 4),
 * BENCH_WARMUP_SECONDS (default 3), BENCH_SLUGS (default 10000), BENCH_ONLY (e.g. "resolver,http"),
 * BENCH_PROFILE_STARTUP=0 (skip the profiled replica start), REDIS_URL (use Redis instead of embedded SQLite).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { runHttpFigure, type HttpFigure, type LoadRun } from './http-resolve.bench';
import { canPin } from './lib/child';
import type { HotFunction } from './lib/cpuprofile';
import { bullets, heading, table } from './lib/markdown';
import { fmtFixed, fmtInt, fmtMB, fmtMs, fmtUs, ratio, verdict } from './lib/stats';
import type { TargetMeasurement } from './lib/timing';
import { runMemoryFigure, type MemoryFigure } from './memory.bench';
import { runResolverFigure, type ResolverFigure } from './resolver.bench';

const TARGETS = {
  resolvesPerSec: 500_000,
  httpRatio: 0.5,
  httpP99Ms: 3,
  rssBytes: 250 * 1024 * 1024,
};

const RESULTS_FILE = join(__dirname, '..', '..', 'bench', 'RESULTS.md');

interface Outcome<T> {
  value?: T;
  error?: string;
  seconds: number;
}

async function timed<T>(name: string, work: () => Promise<T>): Promise<Outcome<T>> {
  const started = Date.now();
  process.stdout.write(`bench: ${name}…\n`);
  try {
    const value = await work();
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`bench: ${name} done in ${seconds.toFixed(0)} s\n`);
    return { value, seconds };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${name} FAILED: ${message}\n`);
    return { error: message, seconds: (Date.now() - started) / 1000 };
  }
}

async function main(): Promise<void> {
  const only = new Set((process.env.BENCH_ONLY ?? 'resolver,http,memory').split(',').map((s) => s.trim()));
  const started = new Date();
  const loadBefore = loadavg();
  const resolver = only.has('resolver') ? await timed('resolver (in-process resolve vs raw flagd-core)', runResolverFigure) : undefined;
  const http = only.has('http') ? await timed('http (POST …/resolve vs bare Fastify, 50 connections)', runHttpFigure) : undefined;
  const memory = only.has('memory') ? await timed('memory (new replica with 10,000 slugs × 5 versions)', () => runMemoryFigure()) : undefined;
  const loadAfter = loadavg();
  const totalSeconds = (Date.now() - started.getTime()) / 1000;

  const summary: SummaryRow[] = [];
  const sections: string[] = [];
  if (resolver) sections.push(resolverSection(resolver, summary));
  if (http) sections.push(httpSection(http, summary));
  if (memory) sections.push(memorySection(memory, summary));

  const doc = [
    heading(1, 'promptflag benchmark results'),
    '',
    `Written by \`npm run bench\` (bench/run.ts). Every figure is measured in the same run as its reference; compare the ratios, not the absolute numbers, across machines.`,
    '',
    table(['', ''], machineRows(started, loadBefore, loadAfter, totalSeconds)),
    '',
    heading(2, 'Summary'),
    '',
    table(['Figure', 'Ours', 'Reference (same run)', 'Ours / reference', 'Target', 'Result'], summary.map((r) => [r.figure, r.ours, r.reference, r.ratio, r.target, r.result])),
    '',
    ...sections,
    heading(2, 'How to read / reproduce'),
    '',
    bullets([
      '`npm run bench` compiles src + bench into .bench-build (bench/tsconfig.json) and runs bench/run.ts; every figure runs in fresh child processes.',
      'Environment: `BENCH_SECONDS` (HTTP seconds per target, default 10), `BENCH_HTTP_ROUNDS` (default 4), `BENCH_WARMUP_SECONDS` (default 3), `BENCH_SLUGS` (default 10000), `BENCH_ONLY=resolver,http,memory`, `BENCH_PROFILE_STARTUP=0`, `REDIS_URL` (Redis instead of the embedded store).',
      'CPU profiles (.cpuprofile, open in Chrome DevTools or speedscope) are written to bench/.tmp/profiles/ (gitignored); the tables above list their heaviest functions by self time.',
      'The machine may be shared: the load average above says how busy it was. Interleaved rounds and same-run references keep the ratios meaningful; absolute numbers move with the load.',
    ]),
    '',
  ].join('\n');
  writeFileSync(RESULTS_FILE, doc);

  process.stdout.write('\n');
  for (const row of summary) process.stdout.write(`${row.result.padEnd(4)}  ${row.figure}: ${row.ours} vs ${row.reference} (ratio ${row.ratio}; target ${row.target})\n`);
  process.stdout.write(`\nWrote ${RESULTS_FILE} (${totalSeconds.toFixed(0)} s)\n`);
  const failed = [resolver, http, memory].filter((o) => o?.error !== undefined);
  if (failed.length > 0) process.exitCode = 1;
}

interface SummaryRow {
  figure: string;
  ours: string;
  reference: string;
  ratio: string;
  target: string;
  result: string;
}

function machineRows(started: Date, loadBefore: number[], loadAfter: number[], totalSeconds: number): string[][] {
  let nproc = String(availableParallelism());
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    /* keep availableParallelism */
  }
  const { version: fastifyVersion } = JSON.parse(readFileSync(require.resolve('fastify/package.json'), 'utf8')) as { version: string };
  const { version: flagdCoreVersion } = JSON.parse(readFileSync(require.resolve('@openfeature/flagd-core/package.json'), 'utf8')) as { version: string };
  return [
    ['Date', started.toISOString()],
    ['CPU', `${cpus()[0]?.model ?? 'unknown'}, nproc ${nproc}`],
    ['Memory', fmtMB(totalmem())],
    ['Node', `${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`],
    ['Libraries', `fastify ${fastifyVersion}, @openfeature/flagd-core ${flagdCoreVersion}`],
    ['Store', process.env.REDIS_URL ? 'Redis (REDIS_URL)' : 'embedded SQLite in a temp folder'],
    ['Core pinning', canPin() ? 'taskset: resolver child and HTTP servers on core 0, load generator on core 1' : 'not available (fewer than 2 cores or no taskset): figures unpinned'],
    ['Load average (1/5/15 min)', `before ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' / ')}`],
    ['Total bench time', `${totalSeconds.toFixed(0)} s`],
  ];
}

function failedSection(title: string, error: string | undefined): string {
  return [heading(2, title), '', `**Failed:** ${error ?? 'unknown error'}`, ''].join('\n');
}

function hotTable(hot: readonly HotFunction[]): string {
  return table(
    ['Self %', 'Self ms', 'Function', 'Where'],
    hot.map((h) => [fmtFixed(h.selfPct, 1), fmtFixed(h.selfMs, 0), h.name, h.location ? `\`${h.location}\`` : '(native / VM)']),
  );
}

// ---- figure 1 -----------------------------------------------------------------------------------------------------

function resolverSection(outcome: Outcome<ResolverFigure>, summary: SummaryRow[]): string {
  const title = '1. In-process `PromptResolver.resolve` (warm cache) vs raw flagd-core';
  const f = outcome.value;
  if (!f) {
    summary.push({ figure: 'Resolves/s on one core', ours: 'failed', reference: '-', ratio: '-', target: `≥ ${fmtInt(TARGETS.resolvesPerSec)}/s`, result: 'FAIL' });
    return failedSection(title, outcome.error);
  }
  const r = ratio(f.ours.opsPerSec, f.reference.opsPerSec);
  summary.push({
    figure: 'In-process resolves/s on one core (1.2 KB template, 6 variables, split + rule)',
    ours: `${fmtInt(f.ours.opsPerSec)}/s`,
    reference: `${fmtInt(f.reference.opsPerSec)}/s raw flagd-core`,
    ratio: fmtFixed(r, 2),
    target: `≥ ${fmtInt(TARGETS.resolvesPerSec)}/s`,
    result: verdict(f.ours.opsPerSec >= TARGETS.resolvesPerSec),
  });
  summary.push({
    figure: 'In-process per-call latency p50 / p99',
    ours: `${fmtUs(f.ours.perCallNs.p50)} / ${fmtUs(f.ours.perCallNs.p99)}`,
    reference: `${fmtUs(f.reference.perCallNs.p50)} / ${fmtUs(f.reference.perCallNs.p99)}`,
    ratio: `${fmtFixed(ratio(f.ours.perCallNs.p50, f.reference.perCallNs.p50), 2)} / ${fmtFixed(ratio(f.ours.perCallNs.p99, f.reference.perCallNs.p99), 2)}`,
    target: '(none; 500k/s ⇔ ≤ 2 µs mean)',
    result: '-',
  });
  const row = (m: TargetMeasurement) => [
    m.name,
    fmtInt(m.opsPerSec),
    `${fmtInt(Math.min(...m.roundOpsPerSec))}–${fmtInt(Math.max(...m.roundOpsPerSec))}`,
    fmtUs(m.perCallNs.p50),
    fmtUs(m.perCallNs.p99),
    fmtFixed(ratio(m.opsPerSec, f.reference.opsPerSec), 2),
    Number.isFinite(m.bytesPerCall) ? fmtInt(m.bytesPerCall) : 'n/a',
    `${m.gc.minor} / ${m.gc.major}, ${fmtFixed(100 * m.gcShare, 1)} %`,
  ];
  const headers = ['Target', 'ops/s', 'ops/s per round (min–max)', 'p50 per call', 'p99 per call', 'vs raw flagd-core', '≈ bytes allocated per call', 'GCs minor / major, GC pause share'];
  const variants = Object.entries(f.variantShare)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variant, n]) => `${variant} ${fmtFixed((100 * n) / f.keys, 1)} %`)
    .join(', ');
  return [
    heading(2, title),
    '',
    bullets([
      `Setup: the real Nest app (AppModule, ${f.storeKind} store) booted in a child process${f.pinnedCpu !== null ? ` pinned to core ${f.pinnedCpu} (taskset; GC helper threads share that core)` : ' (not pinned)'}; slug \`${f.slug}\` seeded through the real services: 3 versions of a ${fmtInt(f.templateBytes)}-byte template with ${f.variables} declared variables, v1 prod, a 10/90 split v2/v1 and one rule (tenant \`acme\` → v3).`,
      `Calls: \`resolve(slug, { targetingKey, context: { tenant, plan }, variables: {6 values} })\` over ${fmtInt(f.keys)} distinct targeting keys (cycled); served variants ${variants}; rendered prompt up to ${fmtInt(f.renderedBytes)} bytes. The reference is \`FlagdCore.resolveObjectEvaluation\` of the same flag, loaded from the document the app exports (\`ServingState.exportDocument()\`), with the same keys and contexts (prebuilt). Both chose the same variant for ${fmtInt(f.agreement)} / ${fmtInt(f.keys)} keys.`,
      `Timing: ${fmtFixed(f.settings.warmupMs / 1000, 1)} s warm-up per target, then ${f.settings.rounds} interleaved rounds of ${fmtFixed(f.settings.roundMs / 1000, 1)} s per target (A B A B…). Each batch of ${f.settings.batchSize} calls is timed with \`process.hrtime.bigint()\` (one timer pair per batch, <0.1 % overhead); ops/s = calls / summed batch time. "Per call" p50/p99 are percentiles of the per-batch averages (batch time / ${f.settings.batchSize}), so a GC pause inside a batch is spread over its ${f.settings.batchSize} calls; when more than 1 % of batches contain a scavenge, p99 mostly measures GC.`,
      'Bytes per call: median heap growth over 200-call windows without a GC (new-space bump allocation), approximate. GC counts/pauses from perf_hooks `gc` entries within the timed rounds.',
    ]),
    '',
    table(headers, [row(f.ours), row(f.reference), ...(f.whatIf ? [row(f.whatIf)] : [])]),
    '',
    f.whatIf
      ? `The what-if row (bench/lib/what-if-resolver.ts) is the service's compiled prompt-resolver.service.js loaded a second time with one change: the evaluation context is built by \`Object.assign({}, request.context, { targetingKey })\` instead of \`{ ...request.context, targetingKey }\`; everything else resolve does (metrics, exposures, render) is unchanged. It returned identical results for all ${fmtInt(f.keys)} keys.`
      : 'What-if row skipped: resolve no longer builds the context with that object spread (or its results differed).',
    '',
    heading(3, 'Breakdown (same process, measured after the rounds above)'),
    '',
    table(headers, f.parts.map(row)),
    '',
    heading(3, 'CPU profile of `resolve` alone (2 s, sampling every 200 µs, self time)'),
    '',
    hotTable(f.profile.hot),
    '',
  ].join('\n');
}

// ---- figure 2 -----------------------------------------------------------------------------------------------------

function httpSection(outcome: Outcome<HttpFigure>, summary: SummaryRow[]): string {
  const title = '2. HTTP `POST /v1/prompts/{slug}/resolve` vs a bare Fastify route, 50 connections';
  const f = outcome.value;
  if (!f) {
    summary.push({ figure: 'HTTP resolve req/s', ours: 'failed', reference: '-', ratio: '-', target: `≥ ${TARGETS.httpRatio} × bare`, result: 'FAIL' });
    return failedSection(title, outcome.error);
  }
  const app = f.app.total;
  const bare = f.bare.total;
  const r = ratio(app.rps, bare.rps);
  const clean = app.errors + app.timeouts + app.non2xx === 0;
  summary.push({
    figure: 'HTTP resolve requests/s at 50 connections',
    ours: `${fmtInt(app.rps)}/s`,
    reference: `${fmtInt(bare.rps)}/s bare Fastify`,
    ratio: fmtFixed(r, 2),
    target: `≥ ${TARGETS.httpRatio} × bare`,
    result: verdict(r >= TARGETS.httpRatio && clean),
  });
  summary.push({
    figure: 'HTTP resolve p99 latency',
    ours: fmtMs(app.latencyMs.p99),
    reference: `${fmtMs(bare.latencyMs.p99)} bare`,
    ratio: fmtFixed(ratio(app.latencyMs.p99, bare.latencyMs.p99), 2),
    target: `< ${TARGETS.httpP99Ms} ms`,
    result: verdict(app.latencyMs.p99 < TARGETS.httpP99Ms && clean),
  });
  const row = (name: string, run: LoadRun, serverCpu: number) => [
    name,
    fmtInt(run.rps),
    fmtMs(run.latencyMs.p50),
    fmtMs(run.latencyMs.p90),
    fmtMs(run.latencyMs.p99),
    fmtMs(run.latencyMs.p999),
    fmtMs(run.latencyMs.max),
    `${fmtInt(run.errors)} / ${fmtInt(run.timeouts)} / ${fmtInt(run.non2xx)}`,
    fmtFixed(serverCpu, 2),
    fmtFixed(run.generatorCpu, 2),
    fmtInt(run.bytesPerResponse),
  ];
  const cpuUsPerRequest = (t: HttpFigure['app']) => (t.serverCpu / t.total.rps) * 1e6;
  const appUs = cpuUsPerRequest(f.app);
  const bareUs = cpuUsPerRequest(f.bare);
  const perRound = (t: HttpFigure['app']): string => t.runs.map((run, i) => `round ${i + 1}: ${fmtInt(run.rps)}/s, p99 ${fmtMs(run.latencyMs.p99)}`).join('; ');
  const s = f.settings;
  return [
    heading(2, title),
    '',
    bullets([
      `Servers: the real Nest app (AppModule via the same createFastifyAdapter + configureApp as main.ts, ${f.storeKind} store, LOG_LEVEL=${f.logLevel}) and a bare Fastify ${f.fastifyVersion} (the package Nest's adapter uses) with \`POST /bare\` → \`{"ok":true}\`, each in its own process${f.pinned.server !== null ? ` pinned to core ${f.pinned.server}` : ''}. Load generator: autocannon 8 (programmatic) in a third process${f.pinned.generator !== null ? ` pinned to core ${f.pinned.generator}` : ''}.`,
      `Load: ${s.connections} connections, pipelining ${s.pipelining}, ${s.warmupSeconds} s warm-up per target, then ${s.seconds} s per target in ${s.rounds} interleaved rounds (bare, app, bare, app…). Both receive the same ${fmtInt(s.bodies)} rotating JSON bodies (distinct targeting keys, context, 6 variables, so the app renders) with \`Authorization: Bearer <admin key>\`; a sample app response was ${fmtInt(f.sample.bytes)} bytes (variant ${f.sample.variant}, rendered: ${f.sample.hasRendered}).`,
      'Latency: every response timed by the generator (float ms from autocannon\'s per-request timer; autocannon\'s own histogram has 1 ms resolution). Server and generator CPU: process.cpuUsage over the measured runs, as a fraction of one core (≈ 1.0 means that process was the bottleneck).',
    ]),
    '',
    table(
      ['Target', 'req/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors / timeouts / non-2xx', 'server CPU (cores)', 'generator CPU (cores)', 'bytes/response'],
      [row(f.bare.name, bare, f.bare.serverCpu), row(f.app.name, app, f.app.serverCpu), row(f.whatIf.name, f.whatIf.total, f.whatIf.serverCpu)],
    ),
    '',
    `What-if row (bench/http-resolve.bench.ts \`addWhatIfRoute\`, not a service route): the same \`PromptResolver.resolve\` and API key check on a route registered straight on the app's Fastify instance, body validated by a Fastify JSON schema, so Nest's router, guard, ValidationPipe, interceptors and filter are skipped (nestjs-pino's middleware still runs). Measured in the same rounds: ${fmtInt(f.whatIf.total.rps)}/s, ${fmtFixed(ratio(f.whatIf.total.rps, bare.rps), 2)} of bare, p99 ${fmtMs(f.whatIf.total.latencyMs.p99)}, ${fmtFixed(cpuUsPerRequest(f.whatIf), 0)} µs of server CPU per request.`,
    '',
    `Rounds, bare: ${perRound(f.bare)}. App: ${perRound(f.app)}.`,
    '',
    `Server CPU per request (server CPU ÷ req/s in the measured runs): app ${fmtFixed(appUs, 0)} µs, bare ${fmtFixed(bareUs, 0)} µs, so the app spends ${fmtFixed(appUs - bareUs, 0)} µs more per request than the bare route. CPU-normalised ratio (bare µs ÷ app µs, the req/s ratio to expect when each server has its core to itself): ${fmtFixed(bareUs / appUs, 2)}.`,
    '',
    heading(3, 'Where the app server\'s CPU goes (separate 3 s profiled run under the same load)'),
    '',
    'Busy samples (idle excluded) split into non-overlapping groups: walking up from the leaf, a sample is charged to the first group frame it meets; a middleware\'s `next` continuation stops the walk, so middleware is charged only for its own work. µs/request applies the share to the app\'s measured CPU per request.',
    '',
    table(
      ['Group', 'share of busy CPU', '≈ µs per request'],
      f.appCost.map((g) => [g.name, `${fmtFixed(g.pct, 1)} %`, fmtFixed((g.pct / 100) * appUs, 1)]),
    ),
    '',
    heading(3, 'Heaviest functions, app server (self time)'),
    '',
    hotTable(f.profile.hot),
    '',
    heading(3, 'Heaviest functions, bare Fastify server (self time)'),
    '',
    hotTable(f.bareProfile.hot),
    '',
  ].join('\n');
}

// ---- figure 3 -----------------------------------------------------------------------------------------------------

function memorySection(outcome: Outcome<MemoryFigure>, summary: SummaryRow[]): string {
  const title = '3. Memory and start-up of a new replica with 10,000 slugs × 5 versions';
  const f = outcome.value;
  if (!f) {
    summary.push({ figure: 'RSS with 10,000 slugs', ours: 'failed', reference: '-', ratio: '-', target: '< 250 MB', result: 'FAIL' });
    return failedSection(title, outcome.error);
  }
  const { idle, loaded, seed } = f;
  const allServed = loaded.flagsLoaded === seed.slugs && loaded.resolveChecks.every((c) => c.status === 200);
  summary.push({
    figure: `Resident memory with ${fmtInt(seed.slugs)} slugs × 5 versions loaded`,
    ours: fmtMB(loaded.memory.rss),
    reference: `${fmtMB(idle.memory.rss)} idle replica (0 slugs)`,
    ratio: fmtFixed(ratio(loaded.memory.rss, idle.memory.rss), 2),
    target: '< 250 MB',
    result: verdict(loaded.memory.rss < TARGETS.rssBytes && allServed),
  });
  summary.push({
    figure: `New replica: process start → /ready with ${fmtInt(seed.slugs)} flags`,
    ours: fmtMs(loaded.spawnToReadyMs),
    reference: `${fmtMs(idle.spawnToReadyMs)} idle replica`,
    ratio: fmtFixed(ratio(loaded.spawnToReadyMs, idle.spawnToReadyMs), 2),
    target: '(none set)',
    result: '-',
  });
  const ms = (x: typeof idle) => x.inProcess;
  const col = (x: typeof idle) => [
    fmtInt(x.flagsLoaded),
    fmtMs(x.spawnToReadyMs),
    fmtMs(ms(x).modulesLoadedMs),
    fmtMs(ms(x).appCreatedMs - ms(x).modulesLoadedMs),
    fmtMs(ms(x).listeningMs - ms(x).appCreatedMs),
    fmtMs(ms(x).listeningMs),
    fmtMB(x.memory.rss),
    fmtMB(x.memory.heapUsed),
    fmtMB(x.memory.heapTotal),
    fmtMB(x.memory.external),
  ];
  const perSlugRss = (loaded.memory.rss - idle.memory.rss) / Math.max(1, seed.slugs);
  const perSlugHeap = (loaded.memory.heapUsed - idle.memory.heapUsed) / Math.max(1, seed.slugs);
  return [
    heading(2, title),
    '',
    bullets([
      `Store: ${f.storeKind}${seed.storeBytes !== null ? ` (${fmtMB(seed.storeBytes)} SQLite file)` : ''}, seeded by a separate process through the PromptStore port in batches: ${fmtInt(seed.slugs)} slugs × 5 versions (${fmtInt(seed.versions)} versions of ~1.3 KB, with their audit entries) in ${fmtMs(seed.seedMs)}. Per slug: v1 deprecated, v2 draft, v3 prod, v4 and v5 staging; even slugs split 80/15/5 over v3/v4/v5, odd slugs split 90/10 over v3/v4 with a rule pinning tenant \`acme\` to v5, so each flag serves 3 versions (30,000 compiled templates).`,
      'Replicas: fresh processes started like `node dist/main.js` (environment → validateEnvironment → NestFactory.create → configureApp → listen; the flags are loaded by ServingState on bootstrap), with `--expose-gc`. "Start → /ready" is the orchestrator\'s wall time from spawn() to the first `GET /ready` answering 200 (that includes every flag loaded); the other columns are timestamps inside the replica (ms since process start). Three resolves per replica check that it serves (statuses: ' +
        loaded.resolveChecks.map((c) => `${c.slug} → ${c.status}${c.version !== undefined ? ` v${c.version}` : ''}`).join(', ') +
        ').',
      'Memory: `process.memoryUsage()` after two forced full GCs, once /ready answered. The reference is an identical replica on an empty store, started in the same run.',
    ]),
    '',
    table(
      ['Replica', 'flags', 'start → /ready', 'modules loaded at', 'Nest create', 'listen (flag load)', 'listening at', 'RSS', 'heap used', 'heap total', 'external'],
      [
        ['idle (0 slugs)', ...col(idle)],
        [`loaded (${fmtInt(seed.slugs)} slugs)`, ...col(loaded)],
      ],
    ),
    '',
    `Per slug (loaded − idle): ${fmtInt(perSlugRss)} bytes of RSS, ${fmtInt(perSlugHeap)} bytes of V8 heap.`,
    '',
    ...(f.startupProfile
      ? [heading(3, 'CPU profile of the loaded replica\'s start (separate run with --cpu-prof, self time)'), '', hotTable(f.startupProfile.hot), '']
      : []),
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
