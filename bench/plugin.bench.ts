/**
 * Figure: `PromptflagClient.resolve` (NestJS plugin, in-process mode, warm cache) vs a plain OpenFeature SDK +
 * stock flagd-provider (in-process) evaluation of the same flag, in the same process and run.
 *
 * Processes: the real Nest app (sync port, SYNC_REQUIRE_AUTH=false) pinned to core 0; the consumer process pinned to
 * core 1 with two consumer Nest apps (PromptflagModule.forRoot: one with exposures off, one with the default exposure
 * recording to the app) and a plain `FlagdProvider` in its own OpenFeature domain, all synced from the app.
 * Every call is awaited (both APIs are async). Interleaved rounds, order rotated each round (A B C D, B C D A…), batches of 500 calls timed
 * with process.hrtime.bigint().
 */
import { Module } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { FlagdProvider } from '@openfeature/flagd-provider';
import { OpenFeature, type JsonValue } from '@openfeature/server-sdk';
import { PromptflagClient, PromptflagModule, type PromptflagModuleOptions } from '../src/index';
import { FlagSyncServer } from '../src/sync/flag-sync.server';
import { bootApp, BENCH_ADMIN_KEY } from './lib/boot-app';
import { BenchChild, report, runChild, type BenchMessage } from './lib/child';
import { renderValues, tenantOf } from './lib/fixtures';
import { seedViaServices } from './lib/seed';
import { summarize, type Summary } from './lib/stats';

const SLUG = 'support-triage';
const KEYS = 10_000;
const BATCH = 500;

export interface PluginTarget {
  name: string;
  calls: number;
  opsPerSec: number;
  roundOpsPerSec: number[];
  /** Per-call µs from per-batch averages. */
  perCallUs: Summary;
}

export interface PluginFigure {
  pinned: { app: number | null; consumer: number | null };
  storeKind: string;
  rounds: number;
  roundMs: number;
  agreement: number;
  keys: number;
  reference: PluginTarget;
  ours: PluginTarget;
  withExposures: PluginTarget;
  withRender: PluginTarget;
}

export async function runPluginFigure(): Promise<PluginFigure> {
  const app = new BenchChild(__filename, ['app'], { cpu: 0, stdout: 'ignore' });
  let consumer: BenchChild | undefined;
  try {
    const ready = await app.next<BenchMessage & { url: string; syncPort: number; storeKind: string }>('ready');
    consumer = new BenchChild(__filename, ['consumer', ready.url, String(ready.syncPort)], { cpu: 1 });
    const result = await consumer.next<BenchMessage & { figure: Omit<PluginFigure, 'pinned' | 'storeKind'> }>('result', 300_000);
    return { ...result.figure, storeKind: ready.storeKind, pinned: { app: app.pinnedTo ?? null, consumer: consumer.pinnedTo ?? null } };
  } finally {
    await Promise.all([app.stop(), ...(consumer ? [consumer.stop()] : [])]);
  }
}

// ---- children ---------------------------------------------------------------------------------------------------

async function appChild(): Promise<void> {
  const bench = await bootApp({ listen: true, overrides: { SYNC_PORT: 0, SYNC_REQUIRE_AUTH: false } });
  await seedViaServices(bench.app, SLUG);
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'stop') void bench.close().finally(() => process.exit(0));
  });
  await report({ type: 'ready', url: bench.baseUrl, syncPort: bench.app.get(FlagSyncServer).port, storeKind: bench.storeKind });
  await new Promise(() => {});
}

async function startConsumer(options: PromptflagModuleOptions): Promise<NestFastifyApplication> {
  @Module({ imports: [PromptflagModule.forRoot(options)] })
  class ConsumerModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ConsumerModule] }).compile();
  const consumer = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await consumer.init();
  return consumer;
}

async function consumerChild(url: string, syncPort: number): Promise<void> {
  const roundMs = Number(process.env.BENCH_PLUGIN_ROUND_MS ?? 1500);
  const rounds = Number(process.env.BENCH_PLUGIN_ROUNDS ?? 6);
  const base = { host: '127.0.0.1', syncPort, serviceUrl: url, apiKey: BENCH_ADMIN_KEY };
  const plain = await startConsumer({ ...base, domain: 'bench-plugin', exposures: false });
  const exposing = await startConsumer({ ...base, domain: 'bench-plugin-exposures', exposures: { batchSize: 1000, flushIntervalMs: 1000 } });
  const ours = plain.get(PromptflagClient);
  const oursExposing = exposing.get(PromptflagClient);
  await OpenFeature.setProviderAndWait('bench-raw', new FlagdProvider({ resolverType: 'in-process', host: '127.0.0.1', port: syncPort }));
  const raw = OpenFeature.getClient('bench-raw');

  const contexts = Array.from({ length: KEYS }, (_, i) => ({ targetingKey: `user-${i}`, tenant: tenantOf(i), plan: i % 3 === 0 ? 'enterprise' : 'pro' }));
  const values = Array.from({ length: KEYS }, (_, i) => renderValues(i));
  let agreement = 0;
  for (let i = 0; i < KEYS; i++) {
    const a = await ours.resolve(SLUG, contexts[i]);
    const b = await raw.getObjectDetails(SLUG, {} as JsonValue, contexts[i]);
    if (a.variant === b.variant) agreement++;
  }

  const targets: { name: string; fn: (i: number) => Promise<unknown> }[] = [
    { name: 'plain OpenFeature SDK + flagd-provider (in-process): getObjectDetails', fn: (i) => raw.getObjectDetails(SLUG, {} as JsonValue, contexts[i % KEYS]) },
    { name: 'PromptflagClient.resolve (exposures off, no variables)', fn: (i) => ours.resolve(SLUG, contexts[i % KEYS]) },
    { name: 'PromptflagClient.resolve (default exposure recording on, no variables)', fn: (i) => oursExposing.resolve(SLUG, contexts[i % KEYS]) },
    { name: 'PromptflagClient.resolve (exposures off, 6 variables rendered)', fn: (i) => ours.resolve(SLUG, contexts[i % KEYS], values[i % KEYS]) },
  ];
  const batches: number[][] = targets.map(() => []);
  const roundOps: number[][] = targets.map(() => []);
  let cursor = 0;
  const runFor = async (t: number, ms: number, record: boolean) => {
    const deadline = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
    let calls = 0;
    let ns = 0;
    while (process.hrtime.bigint() < deadline) {
      const start = process.hrtime.bigint();
      for (let k = 0; k < BATCH; k++) await targets[t].fn(cursor++);
      const took = Number(process.hrtime.bigint() - start);
      calls += BATCH;
      ns += took;
      if (record) batches[t].push(took / BATCH);
    }
    if (record) roundOps[t].push((calls / ns) * 1e9);
  };
  for (let t = 0; t < targets.length; t++) await runFor(t, 1000, false);
  // The order rotates every round, so no target always follows the one whose garbage it may have to collect.
  for (let r = 0; r < rounds; r++) for (let k = 0; k < targets.length; k++) await runFor((k + r) % targets.length, roundMs, true);

  const measured = targets.map((target, t): PluginTarget => {
    const calls = batches[t].length * BATCH;
    const totalNs = batches[t].reduce((a, b) => a + b * BATCH, 0);
    return { name: target.name, calls, opsPerSec: (calls / totalNs) * 1e9, roundOpsPerSec: roundOps[t], perCallUs: summarize(batches[t].map((ns) => ns / 1000)) };
  });
  await report({ type: 'result', figure: { rounds, roundMs, agreement, keys: KEYS, reference: measured[0], ours: measured[1], withExposures: measured[2], withRender: measured[3] } });
  await Promise.all([plain.close(), exposing.close()]);
  await OpenFeature.close();
}

if (require.main === module) {
  if (process.argv[2] === 'app') runChild(appChild, { exitWhenDone: false });
  else if (process.argv[2] === 'consumer') runChild(() => consumerChild(process.argv[3], Number(process.argv[4])));
}
