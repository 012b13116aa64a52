import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { configureApp, createFastifyAdapter } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { EnvironmentVariables } from '../../src/config/env.validation';
import { BENCH_ADMIN_KEY } from './constants';

export interface BenchApp {
  app: NestFastifyApplication;
  config: AppConfig;
  adminKey: string;
  /** Set when listening. */
  baseUrl?: string;
  storeKind: 'redis' | 'embedded';
  close: () => Promise<void>;
}

export interface BootOptions {
  overrides?: Partial<EnvironmentVariables>;
  /** Listen on 127.0.0.1:<random port>; otherwise only app.init() (in-process use). */
  listen?: boolean;
  /** Embedded store folder; a fresh temp folder (deleted on close) when omitted. */
  dataDir?: string;
  /** Runs after configureApp, before listen/init (e.g. to add routes to the Fastify instance). */
  beforeStart?: (app: NestFastifyApplication) => void | Promise<void>;
}

export { BENCH_ADMIN_KEY };

/**
 * Boots the real AppModule as test/helpers/create-test-app.ts does: AppConfig overridden (no env parsing), the
 * same Fastify adapter and configureApp as main.ts. Embedded SQLite in a temp folder unless REDIS_URL is set
 * (then a fresh key prefix). LOG_LEVEL defaults to `warn`: no per-request access log line (see RESULTS.md).
 */
export async function bootApp(options: BootOptions = {}): Promise<BenchApp> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'promptflag-bench-'));
  const flagsDir = join(dataDir, 'flags-empty');
  mkdirSync(flagsDir, { recursive: true });
  const redisUrl = process.env.REDIS_URL || undefined;
  const config = Object.assign(new EnvironmentVariables(), {
    PORT: 0,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATA_DIR: dataDir,
    REDIS_KEY_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
    PROMPTFLAG_ADMIN_KEY: BENCH_ADMIN_KEY,
    FLAGS_DIR: flagsDir,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...options.overrides,
  }) as AppConfig;

  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(AppConfig).useValue(config).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config.BODY_LIMIT_BYTES), { logger: ['warn', 'error'] });
  configureApp(app);
  await options.beforeStart?.(app);
  let baseUrl: string | undefined;
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  } else {
    await app.init();
  }
  return {
    app,
    config,
    adminKey: config.PROMPTFLAG_ADMIN_KEY as string,
    baseUrl,
    storeKind: config.REDIS_URL ? 'redis' : 'embedded',
    close: async () => {
      await app.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
