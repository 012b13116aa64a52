/**
 * `npm run bench`: runs the figures (resolver, http, memory, propagation, ofrep, plugin, events; BENCH_ONLY picks a subset), each in its own child processes and each against a reference measured
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
import { fmtFixed, fmtInt, fmtMB, fmtMs, fmtUs, ratio, type Summary, verdict } from './lib/stats';
import type { TargetMeasurement } from './lib/timing';
import { runEventsFigure, type EventsFigure } from './events.bench';
import { runMemoryFigure, type MemoryFigure } from './memory.bench';
import { runOfrepFigure, type OfrepFigure } from './ofrep.bench';
import { runPluginFigure, type PluginFigure, type PluginTarget } from './plugin.bench';
import { type Breakdown, runPropagationFigure, type PropagationFigure } from './propagation.bench';
import { runResolverFigure, type ResolverFigure } from './resolver.bench';

const TARGETS = {
  resolvesPerSec: 500_000,
  httpRatio: 0.5,
  httpP99Ms: 3,
  rssBytes: 250 * 1024 * 1024,
  propagationP99Ms: 50,
  ofrepRatio: 0.5,
  pluginSlowdown: 1.3,
  eventsPerSec: 50_000,
  resultsMs: 20,
  resultsAtEvents: 10_000_000,
};

/** Every figure BENCH_ONLY can name, in run order. */
const ALL_FIGURES = 'resolver,http,memory,propagation,ofrep,plugin,events';

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
  const only = new Set((process.env.BENCH_ONLY ?? ALL_FIGURES).split(',').map((s) => s.trim()));
  const started = new Date();
  const loadBefore = loadavg();
  const resolver = only.has('resolver') ? await timed('resolver (in-process resolve vs raw flagd-core)', runResolverFigure) : undefined;
  const http = only.has('http') ? await timed('http (POST …/resolve vs bare Fastify, 50 connections)', runHttpFigure) : undefined;
  const memory = only.has('memory') ? await timed('memory (new replica with 10,000 slugs × 5 versions)', () => runMemoryFigure()) : undefined;
  const propagation = only.has('propagation') ? await timed('propagation (rollout change / kill → 100 flagd in-process clients)', runPropagationFigure) : undefined;
  const ofrep = only.has('ofrep') ? await timed('ofrep (POST /ofrep/v1/evaluate/flags/{slug} vs bare Fastify, 50 connections)', runOfrepFigure) : undefined;
  const plugin = only.has('plugin') ? await timed('plugin (PromptflagClient.resolve vs OpenFeature SDK + flagd-provider)', runPluginFigure) : undefined;
  const events = only.has('events') ? await timed('events (POST /v1/events into Redis vs bare Fastify; results query)', runEventsFigure) : undefined;
  const loadAfter = loadavg();
  const totalSeconds = (Date.now() - started.getTime()) / 1000;

  const summary: SummaryRow[] = [];
  const sections: string[] = [];
  if (resolver) sections.push(resolverSection(resolver, summary));
  if (http) sections.push(httpSection(http, summary));
  if (memory) sections.push(memorySection(memory, summary));
  if (propagation) sections.push(propagationSection(propagation, summary));
  if (ofrep) sections.push(ofrepSection(ofrep, summary));
  if (plugin) sections.push(pluginSection(plugin, summary));
  if (events) sections.push(eventsSection(events, summary));

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
      'Environment: `BENCH_SECONDS` (HTTP seconds per target, default 10), `BENCH_HTTP_ROUNDS` (default 4), `BENCH_WARMUP_SECONDS` (default 3), `BENCH_SLUGS` (default 10000), `BENCH_ONLY=resolver,http,memory,propagation,ofrep,plugin,events` (any subset; `BENCH_PROPAGATION_ROUNDS` and `BENCH_KILL_ROUNDS` (default 100 each), `BENCH_PROPAGATION_WARMUP` (rollout changes before them, default 60), `BENCH_KILL_WARMUP` (kill/restore pairs, default 10), `BENCH_SYNC_CLIENTS`, `BENCH_PLUGIN_ROUNDS`, `BENCH_PLUGIN_ROUND_MS`, `BENCH_EVENTS_SECONDS`, `BENCH_EVENTS_ROUNDS`, `BENCH_EVENTS_TOTAL` (events stored before the results query, default 10,000,000), `BENCH_SYNC_CLIENT_PROCESSES` (default one per core), `BENCH_SYNC_CLIENT_CORE`, `BENCH_SYNC_SHARED_CONNECTION` tune the newer figures; without REDIS_URL the events figure starts its own throwaway redis-server), `BENCH_PROFILE_STARTUP=0`, `REDIS_URL` (Redis instead of the embedded store).',
      'CPU profiles (.cpuprofile, open in Chrome DevTools or speedscope) are written to bench/.tmp/profiles/ (gitignored); the tables above list their heaviest functions by self time.',
      'The machine may be shared: the load average above says how busy it was. Interleaved rounds and same-run references keep the ratios meaningful; absolute numbers move with the load.',
    ]),
    '',
  ].join('\n');
  writeFileSync(RESULTS_FILE, doc);

  process.stdout.write('\n');
  for (const row of summary) process.stdout.write(`${row.result.padEnd(4)}  ${row.figure}: ${row.ours} vs ${row.reference} (ratio ${row.ratio}; target ${row.target})\n`);
  process.stdout.write(`\nWrote ${RESULTS_FILE} (${totalSeconds.toFixed(0)} s)\n`);
  const failed = [resolver, http, memory, propagation, ofrep, plugin, events].filter((o) => o?.error !== undefined);
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
  const single = f.oneConnection;
  summary.push({
    figure: 'HTTP resolve p99 latency at 50 connections (one request at a time in brackets)',
    ours: `${fmtMs(app.latencyMs.p99)} (${fmtMs(single.app.latencyMs.p99)})`,
    reference: `${fmtMs(bare.latencyMs.p99)} bare (${fmtMs(single.bare.latencyMs.p99)})`,
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
    `Latency floor, same run: one connection sending one request at a time for ${fmtInt(single.seconds)} s per target (after the rounds above). Bare route: ${fmtInt(single.bare.rps)}/s, p50 ${fmtMs(single.bare.latencyMs.p50)}, p90 ${fmtMs(single.bare.latencyMs.p90)}, p99 ${fmtMs(single.bare.latencyMs.p99)}; resolve: ${fmtInt(single.app.rps)}/s, p50 ${fmtMs(single.app.latencyMs.p50)}, p90 ${fmtMs(single.app.latencyMs.p90)}, p99 ${fmtMs(single.app.latencyMs.p99)}. At 50 connections and full load, Little's law fixes the mean latency at 50 ÷ throughput (${fmtMs((50 / bare.rps) * 1000)} for the bare route here), so a p99 under ${TARGETS.httpP99Ms} ms would need well over ${fmtInt(50 / (TARGETS.httpP99Ms / 1000))} requests/s from a single core.${single.bare.latencyMs.p99 >= TARGETS.httpP99Ms ? ` And with the bare route's own p99 at ${fmtMs(single.bare.latencyMs.p99)} one request at a time, no route can meet that target on this machine.` : ''}`,
    '',
    `Machine stalls, same run: a busy loop in the idle bare server's process (pinned like the servers) saw ${fmtInt(f.stalls.count)} gaps over 0.5 ms in ${fmtInt(f.stalls.seconds)} s (${fmtMs(f.stalls.totalMs)} in all, the longest ${fmtMs(f.stalls.maxMs)}): time in which a running process is not running, whatever it serves.`,
    '',
    `What-if row (bench/http-resolve.bench.ts \`addWhatIfRoute\`, not a service route): the same \`PromptResolver.resolve\` and API key check on a route registered straight on the app's Fastify instance, body validated by a Fastify JSON schema, so Nest's router, guard, ValidationPipe, interceptors and filter are skipped. Measured in the same rounds: ${fmtInt(f.whatIf.total.rps)}/s, ${fmtFixed(ratio(f.whatIf.total.rps, bare.rps), 2)} of bare, p99 ${fmtMs(f.whatIf.total.latencyMs.p99)}, ${fmtFixed(cpuUsPerRequest(f.whatIf), 0)} µs of server CPU per request.`,
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

// ---- figure 4 -----------------------------------------------------------------------------------------------------

function propagationSection(outcome: Outcome<PropagationFigure>, summary: SummaryRow[]): string {
  const title = '4. Propagation: rollout change and kill switch → 100 stock flagd in-process clients';
  const f = outcome.value;
  if (!f) {
    summary.push({ figure: 'Rollout change → all flagd clients, p99', ours: 'failed', reference: '-', ratio: '-', target: `p99 < ${TARGETS.propagationP99Ms} ms`, result: 'FAIL' });
    summary.push({ figure: 'Kill → all flagd clients + replicas, p99', ours: 'failed', reference: '-', ratio: '-', target: `p99 < ${TARGETS.propagationP99Ms} ms`, result: 'FAIL' });
    return failedSection(title, outcome.error);
  }
  const h = f.health;
  const pair = (s: { p50: number; p99: number }) => `${fmtMs(s.p50)} / ${fmtMs(s.p99)}`;
  const ratios = (s: { p50: number; p99: number }) => `${fmtFixed(ratio(s.p50, h.p50), 1)} / ${fmtFixed(ratio(s.p99, h.p99), 1)}`;
  summary.push({
    figure: `Rollout change (PUT …/rollout 200) → all ${f.clients} flagd in-process clients serve the new variant, p50 / p99`,
    ours: pair(f.rollout.latencyMs),
    reference: `${pair(h)} GET /health round trip`,
    ratio: ratios(f.rollout.latencyMs),
    target: `p99 < ${TARGETS.propagationP99Ms} ms`,
    result: verdict(f.rollout.latencyMs.p99 < TARGETS.propagationP99Ms),
  });
  summary.push({
    figure: `Kill (POST …/kill 200) → all ${f.clients} flagd clients and ${f.replicas === 2 ? 'both replicas\' resolvers' : 'the app\'s resolver'} serve the safe version, p50 / p99`,
    ours: pair(f.kill.latencyMs),
    reference: `${pair(h)} GET /health round trip`,
    ratio: ratios(f.kill.latencyMs),
    target: `p99 < ${TARGETS.propagationP99Ms} ms`,
    result: verdict(f.kill.latencyMs.p99 < TARGETS.propagationP99Ms),
  });
  const row = (name: string, s: { n: number; min: number; p50: number; p99: number; max: number; mean: number }) => [name, fmtInt(s.n), fmtMs(s.min), fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max), fmtMs(s.mean)];
  return [
    heading(2, title),
    '',
    bullets([
      `Setup: the real Nest app (${f.storeKind} store, flag-sync gRPC on a random SYNC_PORT, SYNC_REQUIRE_AUTH=false)${f.pinned.app !== null ? ` pinned to core ${f.pinned.app}` : ''}${f.replicas === 2 ? ', plus a second replica on the same Redis key prefix (its own resolver watched)' : ''}; ${f.clients} stock \`@openfeature/flagd-provider\` in-process providers (\`resolverType: 'in-process'\`, host 127.0.0.1, the bound sync port), each in its own OpenFeature domain and (unless BENCH_SYNC_SHARED_CONNECTION=1) on its own TCP connection, split over ${f.clientProcesses} processes${f.pinned.clients !== null ? ` pinned to core ${f.pinned.clients}` : f.clientCores.length > 0 ? ` pinned alternately to cores ${f.clientCores.join(', ')}` : ''}. Slug seeded through the real services (v1 prod, v2/v3 staging, passing evals attached); one targeting key.`,
      'Why the clients are spread over processes and cores, one process per core by default: every sync message costs each stock client a full re-parse in flagd-core (JSON, ajv schema validation, an `object-hash` SHA-1 of every flag, a new json-logic engine for the targeting), plus its gRPC receive and OpenFeature events. 100 clients on one core queue that CPU behind each other, which measures one core, not propagation; real clients are separate services. More processes than cores add context switches and a JIT and GC per process: `BENCH_SYNC_CLIENT_PROCESSES=4` (the layout of earlier runs) spent about 1.2-1.7x the client CPU per change here. On 2 cores the clients\' CPU per change divided by 2 is still the floor of this measurement (see the breakdown).',
      'Rollout rounds: the rollout alternates between 100 % v3 and 100 % v2 (PUT with If-Match). Kill rounds: rollout at 100 % v2, POST …/kill (safe version = prod baseline v1), then POST …/restore (back to v2, timed separately), alternately.',
      `Warm-up, not measured: ${fmtInt(f.warmup.rolloutChanges)} rollout changes, then ${fmtInt(f.warmup.killRestorePairs)} kill/restore pairs, each awaited until every client serves it. The stock clients' parse path (object-hash, ajv, json-logic-engine) is still being optimised by V8 over roughly the first 40 changes, during which each client process spends up to 3x the CPU per change it spends afterwards; the figure is the steady state.`,
      'A client counts as done when, after its `ProviderEvents.ConfigurationChanged`, `getObjectDetails` for the targeting key returns the expected variant. For the kill, the app\'s own `PromptResolver.resolve` (and the second replica\'s, with Redis) is polled every ~1 ms (setTimeout 0) too. Every process stamps `performance.timeOrigin + performance.now()`; latency = the last stamp − the moment the orchestrator received the 200 (so it excludes the request itself, shown separately).',
      'Reference: `GET /health` round trips from the same orchestrator to the same app, interleaved with the rounds.',
    ]),
    '',
    table(
      ['Measure', 'n', 'min', 'p50', 'p99', 'max', 'mean'],
      [
        row('Reference: GET /health round trip', h),
        row(`Rollout: 200 → all ${f.clients} clients serve the new variant`, f.rollout.latencyMs),
        row('Rollout: 200 → first client serves it', f.rollout.firstClientMs),
        row('Rollout: PUT …/rollout request time', f.rollout.putMs),
        row(`Kill: 200 → all ${f.clients} clients + resolver(s) serve the safe version`, f.kill.latencyMs),
        row('Kill: 200 → first client', f.kill.firstClientMs),
        ...(f.kill.replicaMs ? [row('Kill: 200 → second replica\'s resolver', f.kill.replicaMs)] : []),
        row('Kill: POST …/kill request time', f.kill.postMs),
        row(`Restore: 200 → all clients + resolver(s) back on the rollout`, f.kill.restoreMs),
      ],
    ),
    '',
    ...propagationBreakdown(f, row),
  ].join('\n');
}

function propagationBreakdown(f: PropagationFigure, row: (name: string, s: Summary) => string[]): string[] {
  const parts: [string, Breakdown | null][] = [
    ['Rollout', f.rollout.breakdown],
    ['Kill', f.kill.breakdown],
  ];
  const rows = parts.flatMap(([what, b]) =>
    b === null
      ? []
      : [
          row(`${what}: the app's ServingState changes`, b.servingStateChangeMs),
          row(`${what}: first sync message reaches a client's flagd-core`, b.firstSyncMessageMs),
          row(`${what}: last sync message reaches a client's flagd-core`, b.lastSyncMessageMs),
          row(`${what}: flagd-core \`setConfigurations\` per client (wall, incl. preemption)`, b.clientParseMs),
          row(`${what}: CPU of all ${f.clientProcesses} client processes per change`, b.clientsCpuMs),
        ],
  );
  if (rows.length === 0) return [];
  return [
    heading(3, 'Where the time goes (same run; relative to the 200, negative = before it)'),
    '',
    'The app stamps its `ServingState` change; each client process wraps its providers\' `setFlagConfiguration` (flagd-provider internals; the breakdown is left out if they move) to stamp when the sync message reaches flagd-core and how long the parse took, and reports `process.cpuUsage()` per change. A negative "min" is a round whose message reached a client before the orchestrator had read the 200.',
    '',
    table(['Measure', 'n', 'min', 'p50', 'p99', 'max', 'mean'], rows),
    '',
  ];
}

// ---- figure 5 -----------------------------------------------------------------------------------------------------

function ofrepSection(outcome: Outcome<OfrepFigure>, summary: SummaryRow[]): string {
  const title = '5. OFREP `POST /ofrep/v1/evaluate/flags/{slug}` vs a bare Fastify route, 50 connections';
  const f = outcome.value;
  if (!f) {
    summary.push({ figure: 'OFREP single-flag evaluations/s', ours: 'failed', reference: '-', ratio: '-', target: `≥ ${TARGETS.ofrepRatio} × bare`, result: 'FAIL' });
    return failedSection(title, outcome.error);
  }
  const app = f.ofrep.total;
  const bare = f.bare.total;
  const r = ratio(app.rps, bare.rps);
  const clean = app.errors + app.timeouts + app.non2xx === 0;
  summary.push({
    figure: 'OFREP single-flag evaluations/s at 50 connections',
    ours: `${fmtInt(app.rps)}/s (p99 ${fmtMs(app.latencyMs.p99)})`,
    reference: `${fmtInt(bare.rps)}/s bare Fastify (p99 ${fmtMs(bare.latencyMs.p99)})`,
    ratio: fmtFixed(r, 2),
    target: `≥ ${TARGETS.ofrepRatio} × bare`,
    result: verdict(r >= TARGETS.ofrepRatio && clean),
  });
  const row = (name: string, run: LoadRun) => [
    name,
    fmtInt(run.rps),
    fmtMs(run.latencyMs.p50),
    fmtMs(run.latencyMs.p99),
    fmtMs(run.latencyMs.max),
    `${fmtInt(run.errors)} / ${fmtInt(run.timeouts)} / ${fmtInt(run.non2xx)}`,
    fmtFixed(run.generatorCpu, 2),
    fmtInt(run.bytesPerResponse),
  ];
  const perRound = (runs: LoadRun[]) => runs.map((run, i) => `round ${i + 1}: ${fmtInt(run.rps)}/s`).join('; ');
  const s = f.settings;
  return [
    heading(2, title),
    '',
    bullets([
      `Servers: the real Nest app (${f.storeKind} store) and the HTTP figure's bare Fastify server (\`POST /bare\` → \`{"ok":true}\`), each in its own process${f.pinned.server !== null ? ` pinned to core ${f.pinned.server}` : ''}; the HTTP figure's autocannon generator${f.pinned.generator !== null ? ` pinned to core ${f.pinned.generator}` : ''}.`,
      `Load: ${s.connections} connections, pipelining ${s.pipelining}, ${s.warmupSeconds} s warm-up per target, then ${s.seconds} s per target in ${s.rounds} interleaved rounds. Both receive the same ${fmtInt(s.bodies)} rotating OFREP bodies \`{"context": {targetingKey, tenant, plan}}\` (distinct targeting keys; the flag has a 10/90 split and a tenant rule) with the admin key as Bearer. Sample answer: ${fmtInt(f.sample.bytes)} bytes, variant ${f.sample.variant}, reason ${f.sample.reason}.`,
    ]),
    '',
    table(['Target', 'req/s', 'p50', 'p99', 'max', 'errors / timeouts / non-2xx', 'generator CPU (cores)', 'bytes/response'], [row(f.bare.name, bare), row(f.ofrep.name, app)]),
    '',
    `Rounds, bare: ${perRound(f.bare.runs)}. OFREP: ${perRound(f.ofrep.runs)}.`,
    '',
  ].join('\n');
}

// ---- figure 6 -----------------------------------------------------------------------------------------------------

function pluginSection(outcome: Outcome<PluginFigure>, summary: SummaryRow[]): string {
  const title = '6. NestJS plugin `PromptflagClient.resolve` (warm) vs plain OpenFeature SDK + flagd-provider';
  const f = outcome.value;
  if (!f) {
    summary.push({ figure: 'Plugin resolve vs OpenFeature SDK + flagd-provider', ours: 'failed', reference: '-', ratio: '-', target: `≤ ${TARGETS.pluginSlowdown} × the SDK's time`, result: 'FAIL' });
    return failedSection(title, outcome.error);
  }
  const slowdown = ratio(f.reference.opsPerSec, f.ours.opsPerSec);
  summary.push({
    figure: 'Plugin `PromptflagClient.resolve` per call (in-process, warm, exposures off)',
    ours: `${fmtFixed(1e6 / f.ours.opsPerSec, 2)} µs (${fmtInt(f.ours.opsPerSec)}/s)`,
    reference: `${fmtFixed(1e6 / f.reference.opsPerSec, 2)} µs (${fmtInt(f.reference.opsPerSec)}/s) OpenFeature SDK + flagd-provider`,
    ratio: `${fmtFixed(slowdown, 2)} × the time`,
    target: `≤ ${TARGETS.pluginSlowdown} ×`,
    result: verdict(slowdown <= TARGETS.pluginSlowdown && f.agreement === f.keys),
  });
  const row = (m: PluginTarget) => [
    m.name,
    fmtInt(m.opsPerSec),
    `${fmtInt(Math.min(...m.roundOpsPerSec))}–${fmtInt(Math.max(...m.roundOpsPerSec))}`,
    `${fmtFixed(1e6 / m.opsPerSec, 2)} µs`,
    `${fmtFixed(m.perCallUs.p50, 2)} µs`,
    `${fmtFixed(m.perCallUs.p99, 2)} µs`,
    fmtFixed(ratio(f.reference.opsPerSec, m.opsPerSec), 2),
  ];
  return [
    heading(2, title),
    '',
    bullets([
      `Setup: the real Nest app (${f.storeKind} store, sync port, SYNC_REQUIRE_AUTH=false)${f.pinned.app !== null ? ` on core ${f.pinned.app}` : ''}; one consumer process${f.pinned.consumer !== null ? ` on core ${f.pinned.consumer}` : ''} holding two consumer Nest apps with \`PromptflagModule.forRoot\` (in-process mode; one with \`exposures: false\`, one recording exposures to the app in batches of 1,000) and a plain \`FlagdProvider({ resolverType: 'in-process' })\` in its own OpenFeature domain, all synced from the app. Flag: the 10/90 split with a tenant rule.`,
      `Calls: ${fmtInt(f.keys)} distinct contexts \`{ targetingKey, tenant, plan }\` (prebuilt, cycled); every call awaited one after the other. Plugin and SDK chose the same variant for ${fmtInt(f.agreement)} / ${fmtInt(f.keys)} keys. 1 s warm-up per target, then ${f.rounds} interleaved rounds (order rotated each round) of ${fmtFixed(f.roundMs / 1000, 1)} s per target; batches of ${BATCH_SIZE_NOTE} calls timed with process.hrtime.bigint(); per-call p50/p99 are percentiles of the per-batch averages.`,
      'The verdict compares the plugin with exposures off (the same work as the SDK call plus the plugin\'s checks and result mapping); the other rows show what exposure recording and rendering add.',
    ]),
    '',
    table(['Target', 'calls/s', 'calls/s per round (min–max)', 'mean per call', 'p50 per call', 'p99 per call', '× the SDK\'s time'], [row(f.reference), row(f.ours), row(f.withExposures), row(f.withRender)]),
    '',
  ].join('\n');
}

const BATCH_SIZE_NOTE = '500';

// ---- figure 7 -----------------------------------------------------------------------------------------------------

function eventsSection(outcome: Outcome<EventsFigure>, summary: SummaryRow[]): string {
  const title = '7. Outcome events: `POST /v1/events` into Redis vs a bare Fastify route; results query';
  const f = outcome.value;
  if (!f) {
    summary.push({ figure: 'Events ingested/s', ours: 'failed', reference: '-', ratio: '-', target: `≥ ${fmtInt(TARGETS.eventsPerSec)}/s`, result: 'FAIL' });
    return failedSection(title, outcome.error);
  }
  const reached = f.eventsStored >= TARGETS.resultsAtEvents;
  summary.push({
    figure: 'Outcome events ingested/s through POST /v1/events (batches of 1,000, 8 concurrent) into Redis',
    ours: `${fmtInt(f.app.eventsPerSec)}/s`,
    reference: `${fmtInt(f.bare.eventsPerSec)}/s bare Fastify, same bodies`,
    ratio: fmtFixed(ratio(f.app.eventsPerSec, f.bare.eventsPerSec), 2),
    target: `≥ ${fmtInt(TARGETS.eventsPerSec)}/s`,
    result: verdict(f.app.eventsPerSec >= TARGETS.eventsPerSec && f.app.errors === 0 && f.refused === 0),
  });
  summary.push({
    figure: `GET /v1/prompts/{slug}/results at ${fmtInt(f.eventsStored)} stored events (target is at ${fmtInt(TARGETS.resultsAtEvents)}), p50 / p99`,
    ours: `${fmtMs(f.resultsMs.p50)} / ${fmtMs(f.resultsMs.p99)}`,
    reference: `${fmtMs(f.healthMs.p50)} / ${fmtMs(f.healthMs.p99)} GET /health`,
    ratio: `${fmtFixed(ratio(f.resultsMs.p50, f.healthMs.p50), 1)} / ${fmtFixed(ratio(f.resultsMs.p99, f.healthMs.p99), 1)}`,
    target: `< ${TARGETS.resultsMs} ms at ${fmtInt(TARGETS.resultsAtEvents)} events`,
    result: reached ? verdict(f.resultsMs.p99 < TARGETS.resultsMs) : '- (10M not reached)',
  });
  const row = (t: EventsFigure['app']) => [t.name, fmtInt(t.eventsPerSec), t.roundEventsPerSec.map((x) => fmtInt(x)).join(', '), fmtInt(t.events), fmtFixed(t.seconds, 1), fmtInt(t.errors)];
  const q = (name: string, s: EventsFigure['resultsMs']) => [name, fmtInt(s.n), fmtMs(s.min), fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max)];
  return [
    heading(2, title),
    '',
    bullets([
      `Redis: ${f.redis}. The real Nest app (Redis store) and the HTTP figure's bare Fastify server, each in its own process${f.pinned.server !== null ? ` pinned to core ${f.pinned.server}` : ''}; the orchestrator sends the load (8 concurrent loops, each POSTing a fresh batch of 1,000 events with new ids: slug, version 1|2, targetingKey, outcome, latencyMs, tokens, finishReason) and counts \`accepted\` from the app's answers (refused ${fmtInt(f.refused)}, duplicates ${fmtInt(f.duplicates)}). 1 s warm-up per target, then ${f.rounds} interleaved rounds, ${f.seconds} s per target in all.`,
      `Results: ${fmtInt(f.resultsMs.n)} timed \`GET /v1/prompts/{slug}/results\` (default 24 h window), each after a \`GET /health\` as the reference, twice: over the ${fmtInt(f.eventsIngested)} events HTTP ingested, then after a bulk seed brought the slug to ${fmtInt(f.eventsStored)} events. The seed runs in the app process through the same \`ExperimentsService.recordEvents\` the route calls (same validation, store call and id markers; ${fmtInt(f.seed.batch)} events per call, ${f.seed.inFlight} calls in flight, spread over ${f.seed.hours} hours of the window): ${fmtInt(f.seed.events)} events in ${fmtFixed(f.seed.seconds, 0)} s (${fmtInt(f.seed.eventsPerSec)}/s). The answer's calls add up to ${fmtInt(f.callsInResults)}, every accepted event.`,
      `Redis memory: ${fmtMB(f.redisBeforeSeed.usedMemoryBytes)} (${fmtInt(f.redisBeforeSeed.keys)} keys) before the seed, ${fmtMB(f.redisAfterSeed.usedMemoryBytes)} (${fmtInt(f.redisAfterSeed.keys)} keys) after: ${fmtInt((f.redisAfterSeed.usedMemoryBytes - f.redisBeforeSeed.usedMemoryBytes) / Math.max(1, f.seed.events))} bytes per event, almost all of it the event's id marker (kept 35 days, see README "Experiments and alerts"). Load average before the seed ${f.loadAverage.beforeSeed.map((x) => x.toFixed(2)).join(' / ')}, after the last query ${f.loadAverage.afterQueries.map((x) => x.toFixed(2)).join(' / ')}.`,
    ]),
    '',
    table(['Target', 'events/s', 'per round', 'events', 'seconds', 'HTTP errors'], [row(f.bare), row(f.app)]),
    '',
    table(['Query', 'n', 'min', 'p50', 'p99', 'max'], [
      q(`GET /health (reference, at ${fmtInt(f.eventsIngested)} events)`, f.healthAtIngestedMs),
      q(`GET /v1/prompts/{slug}/results at ${fmtInt(f.eventsIngested)} events`, f.resultsAtIngestedMs),
      q(`GET /health (reference, at ${fmtInt(f.eventsStored)} events)`, f.healthMs),
      q(`GET /v1/prompts/{slug}/results at ${fmtInt(f.eventsStored)} events`, f.resultsMs),
    ]),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
