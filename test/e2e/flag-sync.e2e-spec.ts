import { randomBytes } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { FlagdProvider } from '@openfeature/flagd-provider';
import { NOOP_PROVIDER, OpenFeature, ProviderEvents, ProviderStatus, type Client, type EvaluationDetails, type JsonValue } from '@openfeature/server-sdk';
import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import { FlagSyncServer } from '../../src/sync/flag-sync.server';
import { createReplica, createTestApp, type TestApp } from '../helpers/create-test-app';
import { nextEvent, randomUsers } from '../helpers/openfeature-fixtures';
import { mapConcurrently, putRollout, seedPrompt } from '../helpers/seed';
import { RawSyncClient } from '../helpers/sync-client';

/** Small timings so the outage test takes seconds: STALE → ERROR after 1 s, reconnect attempts every ~100–300 ms. */
const PROVIDER_TIMINGS = { retryGracePeriod: 1, retryBackoffMs: 100, retryBackoffMaxMs: 300, deadlineMs: 1000 } as const;

type PromptValue = { version: number; contentHash: string };

describe('flagd sync (redis store)', () => {
  let t: TestApp;
  let syncPort: number;
  let client: Client;
  const openApps: TestApp[] = [];
  const evaluate = (c: Client, slug: string, targetingKey: string) => c.getObjectDetails(slug, {} as JsonValue, { targetingKey }) as Promise<EvaluationDetails<PromptValue>>;
  const inProcessProvider = (port: number, extra: Record<string, unknown> = {}) =>
    new FlagdProvider({ resolverType: 'in-process', host: '127.0.0.1', port, ...PROVIDER_TIMINGS, ...extra });

  /** How many of `users` get a different variant or version body from the provider than from `app`'s resolver. */
  async function disagreements(app: TestApp, c: Client, slug: string, users: string[]): Promise<string[]> {
    const resolver = app.app.get(PromptResolver);
    const out: string[] = [];
    for (const targetingKey of users) {
      const theirs = await evaluate(c, slug, targetingKey);
      const ours = resolver.resolve(slug, { targetingKey });
      if (theirs.errorCode !== undefined || theirs.variant !== ours.variant || theirs.value.contentHash !== ours.contentHash) out.push(targetingKey);
    }
    return out;
  }

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis', overrides: { SYNC_PORT: 0, SYNC_REQUIRE_AUTH: false } });
    openApps.push(t);
    await seedPrompt(t, 'triage', { count: 3, prod: 1, staging: [2, 3] });
    await seedPrompt(t, 'summarise', { count: 1, prod: 1 });
    expect((await putRollout(t, 'triage', { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }] })).status).toBe(200);
    syncPort = t.app.get(FlagSyncServer).port;
    await OpenFeature.setProviderAndWait('flagd-sync', inProcessProvider(syncPort));
    client = OpenFeature.getClient('flagd-sync');
  });
  afterAll(async () => {
    await OpenFeature.close();
    for (const app of openApps) await app.close();
  });

  describe('flagd in-process provider synced from our port: same answers as the resolver', () => {
    it('gives 2,000 random users the variant and version PromptResolver gives them, and 200 of them the HTTP resolve answer', async () => {
      const users = randomUsers(2000);
      expect(await disagreements(t, client, 'triage', users)).toEqual([]);
      const overHttp = await mapConcurrently(users.slice(0, 200), 16, async (targetingKey) => {
        const [theirs, ours] = await Promise.all([evaluate(client, 'triage', targetingKey), t.call('POST', '/v1/prompts/triage/resolve', { body: { targetingKey } })]);
        return theirs.variant === ours.body.variant && theirs.value.contentHash === ours.body.contentHash ? 0 : 1;
      });
      expect(overHttp.reduce((a: number, b) => a + b, 0)).toBe(0);
      const variants = new Set(await Promise.all(users.slice(0, 200).map(async (u) => (await evaluate(client, 'triage', u)).variant)));
      expect(variants).toEqual(new Set(['v1', 'v2']));
    });

    it('carries flag metadata (slug, revision, flagSetId) to the client', async () => {
      const details = await evaluate(client, 'summarise', 'u1');
      expect(details).toMatchObject({ variant: 'v1', reason: 'STATIC', value: { version: 1 }, flagMetadata: { slug: 'summarise', flagSetId: 'promptflag', revision: expect.any(Number) } });
    });

    it('picks up a rollout change without restarting: ConfigurationChanged, then the new split', async () => {
      const changed = nextEvent(client, ProviderEvents.ConfigurationChanged);
      expect((await putRollout(t, 'triage', { allocation: [{ version: 3, weight: 1 }, { version: 2, weight: 1 }, { version: 1, weight: 2 }] })).status).toBe(200);
      expect(await changed).toMatchObject({ flagsChanged: ['triage'] });
      const users = randomUsers(500);
      expect(await disagreements(t, client, 'triage', users)).toEqual([]);
      const versions = new Set(await Promise.all(users.map(async (u) => (await evaluate(client, 'triage', u)).value.version)));
      expect(versions).toEqual(new Set([1, 2, 3]));
    });
  });

  describe('flagd sync protocol', () => {
    let raw: RawSyncClient;
    beforeAll(() => {
      raw = new RawSyncClient(syncPort);
    });
    afterAll(() => raw.close());

    it('streams the whole validated document on connect, then once per change', async () => {
      const subscription = raw.sync();
      const first = await subscription.document(0);
      const exported = (await t.call('GET', '/v1/flags')).body;
      // The document-wide version is left out: flagd-core would merge it into every flag and report all as changed.
      expect(first).toEqual({ $schema: exported.$schema, flags: exported.flags, metadata: { flagSetId: 'promptflag' } });
      expect(Object.keys(first.flags).sort()).toEqual(['summarise', 'triage']);
      expect((await putRollout(t, 'summarise', { allocation: [] })).status).toBe(200);
      const second = await subscription.document(1);
      expect(second.flags).toEqual((await t.call('GET', '/v1/flags')).body.flags);
      expect(second.flags.summarise).not.toEqual(first.flags.summarise);
      expect(second.flags.triage).toEqual(first.flags.triage);
      expect(subscription.messages).toHaveLength(2);
      subscription.cancel();
      expect((await subscription.ended).code).toBe(GrpcStatus.CANCELLED);
    });

    it('filters by the flagd-selector header (comma-separated slugs); unknown slugs are just absent', async () => {
      const subscription = raw.sync({ selector: 'summarise, not-yet-a-prompt' });
      const document = await subscription.document(0);
      expect(Object.keys(document.flags)).toEqual(['summarise']);
      subscription.cancel();

      const selected = inProcessProvider(syncPort, { selector: 'summarise' });
      await OpenFeature.setProviderAndWait('flagd-selected', selected);
      const selectedClient = OpenFeature.getClient('flagd-selected');
      expect((await evaluate(selectedClient, 'summarise', 'u')).variant).toBe('v1');
      expect((await evaluate(selectedClient, 'triage', 'u')).errorCode).toBe('FLAG_NOT_FOUND');
      await OpenFeature.setProviderAndWait('flagd-selected', NOOP_PROVIDER); // closes it before the outage test
    });

    it('refuses a selector that is not a list of slugs with INVALID_ARGUMENT', async () => {
      const subscription = raw.sync({ selector: 'source=database' });
      const status = await subscription.ended;
      expect(status.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(status.details).toContain('source=database');
    });

    it('answers FetchAllFlags and the deprecated GetMetadata, and refuses a wrong credential even when auth is off', async () => {
      const { flagConfiguration } = await raw.fetchAll({ selector: 'triage' });
      const exported = (await t.call('GET', '/v1/flags')).body;
      expect(JSON.parse(flagConfiguration).flags).toEqual({ triage: exported.flags.triage });
      expect(await raw.getMetadata()).toEqual({ flagSetId: 'promptflag', version: exported.metadata.version });
      await expect(raw.fetchAll({ credential: 'pf_wrong' })).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    });
  });

  describe('sync auth (SYNC_REQUIRE_AUTH=true, the default)', () => {
    let secured: TestApp;
    let raw: RawSyncClient;
    const syncToken = randomBytes(24).toString('hex');

    beforeAll(async () => {
      secured = await createTestApp({ store: 'redis', overrides: { SYNC_PORT: 0, SYNC_TOKEN: syncToken } });
      openApps.push(secured);
      await seedPrompt(secured, 'triage', { count: 1, prod: 1 });
      raw = new RawSyncClient(secured.app.get(FlagSyncServer).port);
    });
    afterAll(() => raw.close());

    it('refuses a call without a credential, or with an unknown one, as UNAUTHENTICATED', async () => {
      expect((await raw.sync().ended).code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect((await raw.sync({ credential: 'pf_unknown' }).ended).code).toBe(GrpcStatus.UNAUTHENTICATED);
      await expect(raw.fetchAll()).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    });

    it('accepts a reader API key or SYNC_TOKEN as a bearer credential', async () => {
      const reader = (await secured.call('POST', '/v1/keys', { body: { name: 'sync-reader', role: 'reader' } })).body.key;
      for (const credential of [reader, syncToken]) {
        const subscription = raw.sync({ credential });
        expect(Object.keys((await subscription.document(0)).flags)).toEqual(['triage']);
        subscription.cancel();
      }
    });

    it('makes a stock flagd provider (which cannot send credentials) fail fatally when UNAUTHENTICATED is fatal to it', async () => {
      const provider = inProcessProvider(secured.app.get(FlagSyncServer).port, { fatalStatusCodes: ['UNAUTHENTICATED'] });
      await expect(OpenFeature.setProviderAndWait('flagd-no-credential', provider)).rejects.toBeDefined();
      expect(OpenFeature.getClient('flagd-no-credential').providerStatus).toBe(ProviderStatus.FATAL);
    });
  });

  describe('break-glass: when the service stops, in-process clients keep serving the last document', () => {
    it('stays on the last values through STALE and ERROR (never the code default), then converges with a new instance on the same port', async () => {
      const users = randomUsers(200);
      const before = await Promise.all(users.map((u) => evaluate(client, 'triage', u)));

      const stale = nextEvent(client, ProviderEvents.Stale);
      await t.close();
      openApps.splice(openApps.indexOf(t), 1);
      await stale;
      expect(client.providerStatus).toBe(ProviderStatus.STALE);
      const whileStale = await Promise.all(users.map((u) => evaluate(client, 'triage', u)));
      expect(whileStale.map((d) => [d.variant, d.value.contentHash, d.errorCode])).toEqual(before.map((d) => [d.variant, d.value.contentHash, undefined]));

      await nextEvent(client, ProviderEvents.Error, 5000);
      expect(client.providerStatus).toBe(ProviderStatus.ERROR);
      const whileError = await Promise.all(users.map((u) => evaluate(client, 'triage', u)));
      expect(whileError.map((d) => [d.variant, d.value.contentHash, d.errorCode])).toEqual(before.map((d) => [d.variant, d.value.contentHash, undefined]));

      const ready = nextEvent(client, ProviderEvents.Ready, 20_000);
      const restarted = await createReplica(t, { SYNC_PORT: syncPort, SYNC_REQUIRE_AUTH: false });
      openApps.push(restarted);
      await ready;
      expect(client.providerStatus).toBe(ProviderStatus.READY);

      const changed = nextEvent(client, ProviderEvents.ConfigurationChanged);
      expect((await putRollout(restarted, 'triage', { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }] })).status).toBe(200);
      await changed;
      expect(await disagreements(restarted, client, 'triage', users)).toEqual([]);
    });
  });
});
