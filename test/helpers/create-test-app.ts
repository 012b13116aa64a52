import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureApp, createFastifyAdapter } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { EnvironmentVariables } from '../../src/config/env.validation';
import { requireRedisUrl } from './redis-server';

export type StoreKind = 'redis' | 'embedded';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  adminKey: string;
  config: AppConfig;
  /** fetch against the app with a key (the admin key unless another is given); JSON in and out. */
  call: (method: string, path: string, options?: CallOptions) => Promise<CallResult>;
  close: () => Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  key?: string | null;
  headers?: Record<string, string>;
  rawBody?: string;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
}

/**
 * Boots the real AppModule on a real port, against real Redis (REDIS_URL from the jest global setup, a fresh key
 * prefix per app) or a fresh embedded SQLite file. Nothing is mocked; only configuration is chosen by the test.
 */
export async function createTestApp(options: { store: StoreKind; overrides?: Partial<EnvironmentVariables> } = { store: 'redis' }): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'promptflag-test-'));
  const adminKey = options.overrides?.PROMPTFLAG_ADMIN_KEY ?? `test-admin-${randomUUID()}-${randomUUID()}`;
  const config = Object.assign(new EnvironmentVariables(), {
    PORT: 0,
    SYNC_PORT: 0,
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    REDIS_KEY_PREFIX: `t-${randomUUID().slice(0, 8)}`,
    PROMPTFLAG_ADMIN_KEY: adminKey,
    FLAGS_DIR: join(dataDir, 'flags'),
    ...(options.store === 'redis' ? { REDIS_URL: requireRedisUrl() } : {}),
    ...options.overrides,
  }) as AppConfig;

  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(AppConfig).useValue(config).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config.BODY_LIMIT_BYTES), { logger: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const call = async (method: string, path: string, callOptions: CallOptions = {}): Promise<CallResult> => {
    const key = callOptions.key === undefined ? adminKey : callOptions.key;
    const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...callOptions.headers };
    let body: string | undefined = callOptions.rawBody;
    if (callOptions.body !== undefined) {
      body = JSON.stringify(callOptions.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };

  return {
    app,
    baseUrl,
    adminKey,
    config,
    call,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Another replica of `of`: same Redis, same key prefix, same admin key (and any further overrides). */
export function createReplica(of: TestApp, overrides: Partial<EnvironmentVariables> = {}): Promise<TestApp> {
  return createTestApp({
    store: 'redis',
    overrides: { REDIS_URL: of.config.REDIS_URL, REDIS_KEY_PREFIX: of.config.REDIS_KEY_PREFIX, PROMPTFLAG_ADMIN_KEY: of.adminKey, ...overrides },
  });
}


/** A valid version body; override any field. */
export function versionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    template: 'You triage support tickets for {{company}}. Ticket: {{ticket}}',
    variables: [
      { name: 'company', required: true },
      { name: 'ticket', required: true, description: 'The customer message' },
    ],
    modelHint: 'gpt-4o-2024-08-06',
    rationale: 'First version',
    ...overrides,
  };
}
