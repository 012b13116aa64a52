/**
 * Figure 3: a new replica with 10,000 slugs × 5 versions in the store: time from process start to serving them,
 * and resident memory once loaded, against an idle replica (zero slugs) measured in the same run.
 *
 * Processes: (1) a seeding child writes the store through the PromptStore port (embedded SQLite in a temp folder,
 * or Redis when REDIS_URL is set); (2) a replica child with an empty store (the reference); (3) a replica child on
 * the seeded store. Replicas boot exactly as src/main.ts does (environment → validateEnvironment → NestFactory →
 * configureApp → listen), so the flags are loaded by the real ServingState on bootstrap. Replicas are not pinned.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type * as AppFactory from '../src/app.factory';
import type * as AppModuleFile from '../src/app.module';
import type * as AppConfigFile from '../src/config/app-config';
import type * as EnvValidation from '../src/config/env.validation';
import type * as ServingStateFile from '../src/flags/serving-state.service';
import type * as OpenedStoresFile from '../src/store/opened-stores';
import type * as RedisClientFile from '../src/store/redis/redis-client';
import type * as StoreModuleFile from '../src/store/store.module';
import { BENCH_ADMIN_KEY } from './lib/constants';
import { BenchChild, report, runChild, type BenchMessage } from './lib/child';
import { hotFunctions, type HotFunction } from './lib/cpuprofile';
import { resolveBody } from './lib/fixtures';
import { PROFILE_DIR } from './lib/inspector-profile';
import { BULK_VERSIONS_PER_SLUG, bulkSlug, seedBulk } from './lib/bulk-seed';

const PROCESS_START_MS = performance.now(); // ms since this process started (performance.timeOrigin)

export interface SeedResult {
  slugs: number;
  versions: number;
  seedMs: number;
  storeBytes: number | null;
}

export interface ReplicaResult {
  slugsInStore: number;
  /** Orchestrator wall time from spawn() to the first GET /ready answering 200 (with every flag loaded). */
  spawnToReadyMs: number;
  /** Inside the replica, ms since process start (performance.timeOrigin). */
  inProcess: { scriptStartMs: number; modulesLoadedMs: number; appCreatedMs: number; listeningMs: number };
  /** listen() → onApplicationBootstrap → ServingState.reloadAll: the flag load itself (≈ listening − appCreated). */
  flagsLoaded: number;
  readyBody: unknown;
  resolveChecks: { slug: string; status: number; version?: number }[];
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; spaces: Record<string, number> };
}

export interface MemoryFigure {
  storeKind: 'embedded' | 'redis';
  seed: SeedResult;
  idle: ReplicaResult;
  loaded: ReplicaResult;
  startupProfile: { file: string; hot: HotFunction[] } | null;
}

// ---- orchestrator -----------------------------------------------------------------------------------------------

export async function runMemoryFigure(options: { slugs?: number } = {}): Promise<MemoryFigure> {
  const slugs = options.slugs ?? Number(process.env.BENCH_SLUGS ?? 10_000);
  const redisUrl = process.env.REDIS_URL || undefined;
  const root = mkdtempSync(join(tmpdir(), 'promptflag-bench-mem-'));
  const seededDir = join(root, 'seeded');
  const emptyDir = join(root, 'empty');
  const flagsDir = join(root, 'flags-empty');
  for (const dir of [seededDir, emptyDir, flagsDir]) mkdirSync(dir, { recursive: true });
  const seededPrefix = `bench-mem-${randomUUID().slice(0, 8)}`;
  const emptyPrefix = `bench-mem-empty-${randomUUID().slice(0, 8)}`;
  try {
    const seeder = new BenchChild(__filename, ['seed', seededDir, String(slugs), seededPrefix]);
    const seed = (await seeder.next<BenchMessage & { seed: SeedResult }>('seeded', 600_000)).seed;
    await seeder.exited;

    const env = (dataDir: string, prefix: string): NodeJS.ProcessEnv => ({
      PORT: '0',
      DATA_DIR: dataDir,
      FLAGS_DIR: flagsDir,
      LOG_LEVEL: 'warn',
      PROMPTFLAG_ADMIN_KEY: BENCH_ADMIN_KEY,
      REDIS_KEY_PREFIX: prefix,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      RELOAD_INTERVAL_SECONDS: '3600', // no backstop reload during the measurement
    });
    const idle = await runReplica(env(emptyDir, emptyPrefix), 0);
    const loaded = await runReplica(env(seededDir, seededPrefix), slugs);

    let startupProfile: MemoryFigure['startupProfile'] = null;
    if ((process.env.BENCH_PROFILE_STARTUP ?? '1') !== '0') {
      const name = `replica-startup-${process.pid}`;
      const dir = join(PROFILE_DIR, name);
      rmSync(dir, { recursive: true, force: true });
      await runReplica(env(seededDir, seededPrefix), slugs, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=500']);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (file) startupProfile = { file: join(dir, file), hot: hotFunctions(join(dir, file), 15) };
    }
    return { storeKind: redisUrl ? 'redis' : 'embedded', seed, idle, loaded, startupProfile };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function runReplica(env: NodeJS.ProcessEnv, slugs: number, extraNodeArgs: string[] = []): Promise<ReplicaResult> {
  const replica = new BenchChild(__filename, ['replica'], { env, nodeArgs: ['--expose-gc', ...extraNodeArgs] });
  try {
    const listening = await replica.next<BenchMessage & { url: string; inProcess: ReplicaResult['inProcess']; flagsLoaded: number }>('listening', 600_000);
    // The replica is serving once /ready says so; poll it as a load balancer would.
    let readyBody: unknown;
    for (;;) {
      const res = await fetch(`${listening.url}/ready`);
      readyBody = await res.json();
      if (res.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const spawnToReadyMs = Number(process.hrtime.bigint() - replica.spawnedAt) / 1e6;
    const resolveChecks: ReplicaResult['resolveChecks'] = [];
    for (const i of slugs > 0 ? [0, Math.floor(slugs / 2), slugs - 1] : [0]) {
      const slug = bulkSlug(i);
      const res = await fetch(`${listening.url}/v1/prompts/${slug}/resolve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_KEY}` },
        body: JSON.stringify(resolveBody(i)),
      });
      const body = (await res.json()) as { version?: number };
      resolveChecks.push({ slug, status: res.status, version: body.version });
    }
    replica.send({ type: 'measure-memory' });
    const { memory } = await replica.next<BenchMessage & { memory: ReplicaResult['memory'] }>('memory');
    return { slugsInStore: slugs, spawnToReadyMs, inProcess: listening.inProcess, flagsLoaded: listening.flagsLoaded, readyBody, resolveChecks, memory };
  } finally {
    await replica.stop(15_000);
  }
}

// ---- children ---------------------------------------------------------------------------------------------------

async function seedChild(dataDir: string, slugs: number, prefix: string): Promise<void> {
  const started = performance.now();
  const redisUrl = process.env.REDIS_URL || undefined;
  let storeBytes: number | null = null;
  if (redisUrl) {
    const { createRedisClient, createRedisSubscriber, createRedisStores } = require('../src/store/store.module') as typeof StoreModuleFile;
    const { waitUntilReady, closeRedisClient } = require('../src/store/redis/redis-client') as typeof RedisClientFile;
    const client = createRedisClient(redisUrl, { commandTimeoutMs: 10_000 });
    const subscriber = createRedisSubscriber(redisUrl);
    await waitUntilReady(client, 5000);
    const stores = createRedisStores(client, subscriber, prefix);
    await seedBulk(stores.promptStore, { slugs, batchSize: 100, concurrent: true, runBatch: (work) => work() });
    stores.changeFeed.close();
    await Promise.all([closeRedisClient(subscriber), closeRedisClient(client)]);
  } else {
    const { createEmbeddedStores, EmbeddedDatabase } = require('../src/store/store.module') as typeof StoreModuleFile;
    const { EMBEDDED_DB_FILE } = require('../src/store/opened-stores') as typeof OpenedStoresFile;
    const file = join(dataDir, EMBEDDED_DB_FILE);
    const db = EmbeddedDatabase.open(file);
    const stores = createEmbeddedStores(db);
    // One SQLite transaction per batch: the store's per-call transactions nest as savepoints, one fsync per batch.
    await seedBulk(stores.promptStore, {
      slugs,
      batchSize: 250,
      concurrent: false,
      runBatch: async (work) => {
        db.sqlite.exec('BEGIN IMMEDIATE');
        try {
          await work();
          db.sqlite.exec('COMMIT');
        } catch (error) {
          db.sqlite.exec('ROLLBACK');
          throw error;
        }
      },
    });
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    stores.changeFeed.close();
    db.close();
    storeBytes = statSync(file).size;
  }
  await report({ type: 'seeded', seed: { slugs, versions: slugs * BULK_VERSIONS_PER_SLUG, seedMs: performance.now() - started, storeBytes } satisfies SeedResult });
}

/** src/main.ts, step by step, with timestamps (ms since process start). */
async function replicaChild(): Promise<void> {
  const scriptStartMs = PROCESS_START_MS;
  // Loaded here, not at the top of the file, so the timings see them (main.ts loads the same modules).
  require('reflect-metadata');
  const { NestFactory } = require('@nestjs/core') as typeof import('@nestjs/core');
  const { configureApp, createFastifyAdapter } = require('../src/app.factory') as typeof AppFactory;
  const { AppModule } = require('../src/app.module') as typeof AppModuleFile;
  const { AppConfig } = require('../src/config/app-config') as typeof AppConfigFile;
  const { validateEnvironment } = require('../src/config/env.validation') as typeof EnvValidation;
  const { ServingState } = require('../src/flags/serving-state.service') as typeof ServingStateFile;
  const modulesLoadedMs = performance.now();

  const env = validateEnvironment(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(env.BODY_LIMIT_BYTES), {
    bufferLogs: true,
  });
  configureApp(app);
  const appCreatedMs = performance.now();
  const config = app.get(AppConfig);
  await app.listen(config.PORT, '127.0.0.1');
  const listeningMs = performance.now();
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const flagsLoaded = app.get(ServingState).evaluator.size;
  process.on('message', (message: BenchMessage) => {
    if (message.type !== 'measure-memory') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    setTimeout(() => {
      const usage = process.memoryUsage();
      const spaces: Record<string, number> = {};
      for (const space of getHeapSpaceStatistics()) spaces[space.space_name] = space.space_used_size;
      void report({ type: 'memory', memory: { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, arrayBuffers: usage.arrayBuffers, spaces } });
    }, 50);
  });
  await report({ type: 'listening', url, flagsLoaded, inProcess: { scriptStartMs, modulesLoadedMs, appCreatedMs, listeningMs } });
  await new Promise(() => {}); // serve until stopped
}

if (require.main === module) {
  const [role, ...args] = process.argv.slice(2);
  if (role === 'seed') runChild(() => seedChild(args[0], Number(args[1]), args[2]));
  else if (role === 'replica') runChild(replicaChild, { exitWhenDone: false });
}

