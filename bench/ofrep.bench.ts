/**
 * Figure: OFREP single-flag evaluations/s (`POST /ofrep/v1/evaluate/flags/{slug}`) at 50 connections vs the bare
 * Fastify route, same run. Reuses the HTTP figure's machinery: its autocannon load generator child (core 1) and its
 * bare Fastify server child (core 0), both started from http-resolve.bench.js; the app server is this file's child
 * (core 0). Interleaved rounds: bare, OFREP, bare, OFREP…
 */
import { join } from 'node:path';
import { combine, type LoadRun, type LoadSettings } from './http-resolve.bench';
import { bootApp, BENCH_ADMIN_KEY } from './lib/boot-app';
import { BenchChild, report, runChild, type BenchMessage } from './lib/child';
import { tenantOf } from './lib/fixtures';
import { seedViaServices } from './lib/seed';

const SLUG = 'support-triage';
const BODIES = 4096;

export interface OfrepFigure {
  settings: LoadSettings;
  storeKind: string;
  pinned: { server: number | null; generator: number | null };
  bare: { name: string; runs: LoadRun[]; total: LoadRun };
  ofrep: { name: string; runs: LoadRun[]; total: LoadRun };
  sample: { bytes: number; variant: string; reason: string };
}

/** An OFREP request body: distinct targeting key and the context the rollout's rule looks at. */
export function ofrepBody(i: number): string {
  return JSON.stringify({ context: { targetingKey: `user-${i}`, tenant: tenantOf(i), plan: i % 3 === 0 ? 'enterprise' : 'pro' } });
}

export async function runOfrepFigure(): Promise<OfrepFigure> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const rounds = Math.max(1, Number(process.env.BENCH_HTTP_ROUNDS ?? 4));
  const settings: LoadSettings = { connections: 50, pipelining: 1, seconds, rounds, warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 3), bodies: BODIES };
  const bodies = Array.from({ length: BODIES }, (_, i) => ofrepBody(i));
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_KEY}` };
  const httpBench = join(__dirname, 'http-resolve.bench.js');

  const generator = new BenchChild(httpBench, ['load'], { cpu: 1 });
  const bareServer = new BenchChild(httpBench, ['server', 'bare'], { cpu: 0 });
  const appServer = new BenchChild(__filename, ['server'], { cpu: 0, stdout: 'ignore' });
  try {
    await generator.next('ready');
    const bare = await bareServer.next<BenchMessage & { url: string }>('ready');
    const app = await appServer.next<BenchMessage & { url: string; storeKind: string }>('ready');
    const targets = [
      { name: 'bare Fastify POST /bare', url: `${bare.url}/bare` },
      { name: `OFREP POST /ofrep/v1/evaluate/flags/${SLUG}`, url: `${app.url}/ofrep/v1/evaluate/flags/${SLUG}` },
    ];
    for (const target of targets) {
      const res = await fetch(target.url, { method: 'POST', headers, body: bodies[0] });
      if (res.status !== 200) throw new Error(`${target.name} answered ${res.status}: ${await res.text()}`);
    }
    const sampleRes = await fetch(targets[1].url, { method: 'POST', headers, body: bodies[1] });
    const sampleText = await sampleRes.text();
    const sample = JSON.parse(sampleText) as { variant: string; reason: string };

    const run = async (url: string, secs: number): Promise<LoadRun> => {
      generator.send({ type: 'run', url, seconds: secs, connections: settings.connections, pipelining: settings.pipelining, headers, bodies });
      return (await generator.next<BenchMessage & { run: LoadRun }>('load-result', (secs + 60) * 1000)).run;
    };
    for (const target of targets) await run(target.url, settings.warmupSeconds);
    const runs: LoadRun[][] = targets.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let t = 0; t < targets.length; t++) runs[t].push(await run(targets[t].url, seconds / rounds));
    }
    return {
      settings,
      storeKind: app.storeKind,
      pinned: { server: appServer.pinnedTo ?? null, generator: generator.pinnedTo ?? null },
      bare: { name: targets[0].name, runs: runs[0], total: combine(runs[0]) },
      ofrep: { name: targets[1].name, runs: runs[1], total: combine(runs[1]) },
      sample: { bytes: Buffer.byteLength(sampleText), variant: sample.variant, reason: sample.reason },
    };
  } finally {
    await Promise.all([generator.stop(), bareServer.stop(), appServer.stop()]);
  }
}

async function serverChild(): Promise<void> {
  const bench = await bootApp({ listen: true, overrides: { SYNC_PORT: 0 } });
  await seedViaServices(bench.app, SLUG);
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'stop') void bench.close().finally(() => process.exit(0));
  });
  await report({ type: 'ready', url: bench.baseUrl, storeKind: bench.storeKind });
  await new Promise(() => {});
}

if (require.main === module) {
  if (process.argv[2] === 'server') runChild(serverChild, { exitWhenDone: false });
}
