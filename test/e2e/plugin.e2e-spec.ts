import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Body, Controller, Logger, Module, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import { MissingVariableError, PromptflagClient, PromptflagModule, PromptflagResolveError, type Exposure, type PromptflagModuleOptions } from '../../src/index';
import { FlagSyncServer } from '../../src/sync/flag-sync.server';
import { createReplica, createTestApp, type TestApp } from '../helpers/create-test-app';
import { nextEvent, randomUsers } from '../helpers/openfeature-fixtures';
import { freePort } from '../helpers/redis-server';
import { mapConcurrently, putRollout, seedPrompt, waitFor } from '../helpers/seed';

/** A consumer's own endpoint: renders the triage prompt for the caller, as a real service would. */
@Controller('reply')
class ReplyController {
  constructor(private readonly prompts: PromptflagClient) {}

  @Post()
  async reply(@Body() body: { user: string; ticket: string }) {
    const prompt = await this.prompts.resolve('triage', { targetingKey: body.user }, { company: 'Acme', ticket: body.ticket });
    return { version: prompt.version, prompt: prompt.rendered };
  }
}

/** Captures what the plugin posts to `/v1/exposures`, answering `status` (404: a promptflag without the endpoint). */
class ExposureCapture {
  readonly batches: { headers: IncomingHttpHeaders; exposures: Exposure[] }[] = [];
  private readonly server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/exposures') this.batches.push({ headers: request.headers, exposures: JSON.parse(body).exposures });
      response.writeHead(request.url === '/v1/exposures' ? this.status : 404).end();
    });
  });

  constructor(private readonly status = 202) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get exposures(): Exposure[] {
    return this.batches.flatMap((b) => b.exposures);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Boots a consumer app with `forRoot(options)`, or with `forRootAsync` and a factory when `async` is set. */
async function startConsumer(options: PromptflagModuleOptions, { async = false } = {}): Promise<NestFastifyApplication> {
  const promptflag = async ? PromptflagModule.forRootAsync({ useFactory: async () => options }) : PromptflagModule.forRoot(options);
  @Module({ imports: [promptflag], controllers: [ReplyController] })
  class ConsumerModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ConsumerModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const VARIABLES = { company: 'Acme', ticket: 'My {{invoice}} is wrong & late' };

describe('PromptflagModule: a consumer app resolving prompts in-process', () => {
  let t: TestApp;
  let readerKey: string;
  let syncPort: number;
  let capture: ExposureCapture;
  let captureUrl: string;
  let consumer: NestFastifyApplication;
  let prompts: PromptflagClient;
  const started: NestFastifyApplication[] = [];

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis', overrides: { SYNC_PORT: 0 } }); // sync requires a key (the default)
    await seedPrompt(t, 'triage', { count: 3, prod: 1, staging: [2, 3] });
    expect((await putRollout(t, 'triage', { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }] })).status).toBe(200);
    readerKey = (await t.call('POST', '/v1/keys', { body: { name: 'consumer', role: 'reader' } })).body.key;
    syncPort = t.app.get(FlagSyncServer).port;
    capture = new ExposureCapture();
    captureUrl = await capture.start();
    consumer = await startConsumer({
      host: '127.0.0.1',
      syncPort,
      apiKey: readerKey,
      serviceUrl: captureUrl,
      exposures: { batchSize: 50, flushIntervalMs: 100 },
      inProcess: { retryGracePeriodSeconds: 1, retryBackoffMs: 100, retryBackoffMaxMs: 300 },
    });
    started.push(consumer);
    prompts = consumer.get(PromptflagClient);
  });
  afterAll(async () => {
    for (const app of started) await app.close();
    await capture.close();
    await t.close();
  });

  it('resolves and renders exactly like the service, for 1,000 users in-process and 100 over HTTP resolve', async () => {
    expect(prompts.status).toBe(ProviderStatus.READY);
    const resolver = t.app.get(PromptResolver);
    const users = randomUsers(1000);
    for (const targetingKey of users) {
      expect(await prompts.resolve('triage', { targetingKey }, VARIABLES)).toEqual(resolver.resolve('triage', { targetingKey, variables: VARIABLES }));
    }
    await mapConcurrently(users.slice(0, 100), 16, async (targetingKey) => {
      const ours = await t.call('POST', '/v1/prompts/triage/resolve', { body: { targetingKey, variables: VARIABLES } });
      expect(await prompts.resolve('triage', { targetingKey }, VARIABLES)).toEqual(ours.body);
    });
    expect((await prompts.resolve('triage', { targetingKey: 'u' })).rendered).toBeUndefined();
  });

  it('serves the consumer route from the in-process document', async () => {
    const res = await consumer.inject({ method: 'POST', url: '/reply', payload: { user: 'user-42', ticket: 'refund {{please}}' } });
    expect(res.statusCode).toBe(201);
    const expected = t.app.get(PromptResolver).resolve('triage', { targetingKey: 'user-42', variables: { company: 'Acme', ticket: 'refund {{please}}' } });
    expect(res.json()).toEqual({ version: expected.version, prompt: expected.rendered });
  });

  it('refuses what the service refuses: unknown slug, no targeting key, missing variables', async () => {
    await expect(prompts.resolve('no-such-prompt', { targetingKey: 'u' })).rejects.toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
    await expect(prompts.resolve('triage', { targetingKey: '' })).rejects.toThrow(PromptflagResolveError);
    await expect(prompts.resolve('triage', { targetingKey: 'u' }, { company: 'Acme' })).rejects.toThrow(MissingVariableError);
  });

  it('follows a rollout change pushed over sync', async () => {
    const changed = nextEvent(prompts.openFeatureClient, ProviderEvents.ConfigurationChanged);
    expect((await putRollout(t, 'triage', { allocation: [{ version: 3, weight: 1 }, { version: 1, weight: 0 }] })).status).toBe(200);
    await changed;
    expect(await prompts.resolve('triage', { targetingKey: 'anyone' })).toMatchObject({ version: 3, variant: 'v3', reason: 'TARGETING_MATCH' });
  });

  it('sends exposures in bounded batches off the request path, with hashed targeting keys', async () => {
    const before = capture.exposures.length + prompts.exposureStats.queued;
    const users = randomUsers(120);
    for (const targetingKey of users) await prompts.resolve('triage', { targetingKey });
    await waitFor(async () => capture.exposures.length >= before + users.length, 5000);
    expect(capture.batches.every((b) => b.exposures.length <= 50)).toBe(true);
    expect(capture.batches.every((b) => b.headers.authorization === `Bearer ${readerKey}`)).toBe(true);
    const recent = capture.exposures.slice(-users.length);
    expect(recent.map((e) => e.targetingKeyHash)).toEqual(users.map(sha256));
    expect(recent[0]).toEqual({ slug: 'triage', version: 3, variant: 'v3', revision: expect.any(Number), targetingKeyHash: sha256(users[0]), at: expect.any(String) });
    expect(JSON.stringify(capture.batches)).not.toContain(users[0]);
  });

  it("posts exposures to the service's own POST /v1/exposures, which accepts them", async () => {
    const app = await startConsumer({ host: '127.0.0.1', syncPort, apiKey: readerKey, serviceUrl: t.baseUrl, domain: 'promptflag-service', exposures: { batchSize: 5, flushIntervalMs: 20 } });
    const client = app.get(PromptflagClient);
    for (const targetingKey of randomUsers(30)) await client.resolve('triage', { targetingKey });
    await waitFor(async () => client.exposureStats.sent === 30, 5000);
    expect(client.exposureStats).toEqual({ sent: 30, dropped: 0, queued: 0 });
    started.push(app); // closed last: it lives through the outage below, reconnecting, and must still shut down cleanly
  });

  it('tolerates a promptflag without the exposure endpoint (404): drops with a single warning', async () => {
    const older = new ExposureCapture(404);
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const app = await startConsumer({ host: '127.0.0.1', syncPort, apiKey: readerKey, serviceUrl: await older.start(), domain: 'promptflag-404', exposures: { batchSize: 5, flushIntervalMs: 20 } });
      const client = app.get(PromptflagClient);
      for (const targetingKey of randomUsers(30)) await client.resolve('triage', { targetingKey });
      await waitFor(async () => client.exposureStats.dropped === 30, 5000);
      expect(older.batches.length).toBeGreaterThanOrEqual(2);
      expect(older.batches.every((b) => b.exposures.length <= 5)).toBe(true);
      expect(warn.mock.calls.filter(([message]) => String(message).includes('404'))).toHaveLength(1);
      await app.close();
    } finally {
      warn.mockRestore();
      await older.close();
    }
  });

  it('can use OFREP instead of the sync stream (configured with forRootAsync), with the same answers', async () => {
    const app = await startConsumer({ host: '127.0.0.1', mode: 'ofrep', apiKey: readerKey, serviceUrl: t.baseUrl, domain: 'promptflag-ofrep', exposures: false }, { async: true });
    started.push(app);
    const client = app.get(PromptflagClient);
    const resolver = t.app.get(PromptResolver);
    for (const targetingKey of randomUsers(50)) {
      expect(await client.resolve('triage', { targetingKey }, VARIABLES)).toEqual(resolver.resolve('triage', { targetingKey, variables: VARIABLES }));
    }
  });

  it('fails startup with a clear error when the sync port refuses its key or stays unreachable, and leaves nothing running', async () => {
    await expect(startConsumer({ host: '127.0.0.1', syncPort, apiKey: 'pf_wrong', serviceUrl: captureUrl, domain: 'promptflag-bad-key' })).rejects.toThrow(/in-process provider could not start.*UNAUTHENTICATED/);
    const unused = await freePort();
    const startedAt = Date.now();
    await expect(
      startConsumer({ host: '127.0.0.1', syncPort: unused, apiKey: readerKey, serviceUrl: captureUrl, domain: 'promptflag-nobody', inProcess: { connectTimeoutMs: 500, retryBackoffMs: 50 } }),
    ).rejects.toThrow(/in-process provider could not start.*UNAVAILABLE/);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200); // it retried (50, 100, 200 ms backoff) before giving up
  });

  it('keeps serving the last document while promptflag is down (reason STALE), and reconnects with its key', async () => {
    const expected = await prompts.resolve('triage', { targetingKey: 'break-glass' }, VARIABLES);
    const stale = nextEvent(prompts.openFeatureClient, ProviderEvents.Stale);
    await t.close();
    await stale;
    expect(await prompts.resolve('triage', { targetingKey: 'break-glass' }, VARIABLES)).toEqual({ ...expected, reason: 'STALE' });
    await nextEvent(prompts.openFeatureClient, ProviderEvents.Error, 5000);
    expect(prompts.status).toBe(ProviderStatus.ERROR);
    expect(await prompts.resolve('triage', { targetingKey: 'break-glass' }, VARIABLES)).toEqual({ ...expected, reason: 'STALE' });

    const ready = nextEvent(prompts.openFeatureClient, ProviderEvents.Ready, 20_000);
    t = await createReplica(t, { SYNC_PORT: syncPort });
    await ready;
    expect(await prompts.resolve('triage', { targetingKey: 'break-glass' }, VARIABLES)).toEqual(expected);
  });

  it('shuts down cleanly: sends the last exposures and closes its sync stream', async () => {
    const server = t.app.get(FlagSyncServer);
    const streamsBefore = server.streamCount;
    await consumer.get(PromptflagClient).resolve('triage', { targetingKey: 'last-user' });
    await consumer.close();
    started.splice(started.indexOf(consumer), 1);
    expect(capture.exposures.at(-1)?.targetingKeyHash).toBe(sha256('last-user'));
    await waitFor(async () => server.streamCount === streamsBefore - 1, 5000);
  });
});
