import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature, type Client, type EvaluationContext, type JsonValue } from '@openfeature/server-sdk';
import { ExposureRecorder } from '../../src/experiments/exposure-recorder.service';
import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import { createTestApp, type TestApp } from '../helpers/create-test-app';
import { randomUsers } from '../helpers/openfeature-fixtures';
import { mapConcurrently, putRollout, seedPrompt, seededTemplate } from '../helpers/seed';

const DOMAIN = 'ofrep-e2e';
const AUTH_FAILURE_LIMIT = 6;

describe('OFREP (redis store)', () => {
  let t: TestApp;
  let readerKey: string;
  let client: Client;
  let resolver: PromptResolver;
  const ofrep = (path: string, options: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> } = {}) =>
    t.call('POST', `/ofrep/v1/evaluate/flags${path}`, { key: options.key === undefined ? readerKey : options.key, ...options });
  const evaluate = (key: string, context: EvaluationContext) => client.getObjectDetails(key, {} as JsonValue, context);

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis', overrides: { AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_SECONDS: 60 } });
    await seedPrompt(t, 'triage', { count: 2, prod: 1, staging: [2] });
    await seedPrompt(t, 'summarise', { count: 1, prod: 1 });
    expect((await putRollout(t, 'triage', { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }] })).status).toBe(200);
    readerKey = (await t.call('POST', '/v1/keys', { body: { name: 'ofrep-reader', role: 'reader' } })).body.key;
    resolver = t.app.get(PromptResolver);
    await OpenFeature.setProviderAndWait(DOMAIN, new OFREPProvider({ baseUrl: t.baseUrl, headers: [['Authorization', `Bearer ${readerKey}`]] }));
    client = OpenFeature.getClient(DOMAIN);
  });
  afterAll(async () => {
    await OpenFeature.close();
    await t.close();
  });

  describe('OFREP single flag: same answers as the resolver', () => {
    it('gives 2,000 random users the variant PromptResolver gives them, and 200 of them the HTTP resolve answer', async () => {
      const users = randomUsers(2000);
      const mismatches = await mapConcurrently(users, 16, async (targetingKey) => {
        const theirs = await evaluate('triage', { targetingKey });
        const ours = resolver.resolve('triage', { targetingKey });
        return theirs.variant === ours.variant && (theirs.value as { contentHash: string }).contentHash === ours.contentHash ? null : targetingKey;
      });
      expect(mismatches.filter((m) => m !== null)).toEqual([]);
      const overHttp = await mapConcurrently(users.slice(0, 200), 16, async (targetingKey) => {
        const [theirs, ours] = await Promise.all([evaluate('triage', { targetingKey }), t.call('POST', '/v1/prompts/triage/resolve', { body: { targetingKey } })]);
        return theirs.variant === ours.body.variant ? 0 : 1;
      });
      expect(overHttp.reduce((a: number, b) => a + b, 0)).toBe(0);
      const variants = new Set(users.slice(0, 200).map((targetingKey) => resolver.resolve('triage', { targetingKey }).variant));
      expect(variants).toEqual(new Set(['v1', 'v2']));
    });

    it('answers {key, value, variant, reason, metadata} with slug, version, contentHash and revision', async () => {
      const res = await ofrep('/summarise', { body: { context: { targetingKey: 'user-1' } } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        key: 'summarise',
        value: { slug: 'summarise', version: 1, template: seededTemplate(1), modelHint: expect.any(String), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/), requiredVariables: ['company', 'ticket'], optionalVariables: [], variableDescriptions: { ticket: 'The customer message' } },
        variant: 'v1',
        reason: 'STATIC',
        metadata: expect.objectContaining({ slug: 'summarise', version: 1, contentHash: res.body.value.contentHash, revision: expect.any(Number), flagSetId: 'promptflag' }),
      });
      const details = await evaluate('summarise', { targetingKey: 'user-1' });
      expect(details).toMatchObject({ variant: 'v1', reason: 'STATIC', flagMetadata: { slug: 'summarise', version: 1 } });
    });

    it('accepts the key as X-API-Key too', async () => {
      const res = await ofrep('/summarise', { key: null, headers: { 'x-api-key': readerKey }, body: { context: { targetingKey: 'u' } } });
      expect(res.status).toBe(200);
      expect(res.body.variant).toBe('v1');
    });

    it('serves a rollout change on the next evaluation', async () => {
      expect((await putRollout(t, 'summarise', { allocation: [] })).status).toBe(200);
      await seedPrompt(t, 'canary', { count: 2, prod: 1, staging: [2] });
      expect((await evaluate('canary', { targetingKey: 'user-9' })).variant).toBe('v1');
      expect((await putRollout(t, 'canary', { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 0 }] })).status).toBe(200);
      expect((await evaluate('canary', { targetingKey: 'user-9' })).variant).toBe('v2');
    });
  });

  describe('OFREP errors, as the provider reports them', () => {
    it('FLAG_NOT_FOUND (404) for a slug that is not served', async () => {
      const details = await evaluate('no-such-prompt', { targetingKey: 'u' });
      expect(details).toMatchObject({ errorCode: 'FLAG_NOT_FOUND', reason: 'ERROR', value: {} });
      const res = await ofrep('/no-such-prompt', { body: { context: { targetingKey: 'u' } } });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ key: 'no-such-prompt', errorCode: 'FLAG_NOT_FOUND', errorDetails: expect.any(String) });
    });

    it('TARGETING_KEY_MISSING (400) without a targeting key', async () => {
      expect(await evaluate('triage', { tenant: 'acme' })).toMatchObject({ errorCode: 'TARGETING_KEY_MISSING', value: {} });
      const res = await ofrep('/triage', { body: { context: { tenant: 'acme' } } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ key: 'triage', errorCode: 'TARGETING_KEY_MISSING', errorDetails: expect.stringContaining('targetingKey') });
    });

    it('INVALID_CONTEXT (400) for a targeting key that is not a string, or a context that is not an object', async () => {
      expect(await evaluate('triage', { targetingKey: 42 as unknown as string })).toMatchObject({ errorCode: 'INVALID_CONTEXT', value: {} });
      const res = await ofrep('/triage', { body: { context: ['u'] } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ key: 'triage', errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String) });
      expect((await ofrep('/triage', { body: {} })).body.errorCode).toBe('INVALID_CONTEXT');
    });

    it('PARSE_ERROR (400) for a body that is not JSON, on the single and the bulk endpoint', async () => {
      const headers = { 'content-type': 'application/json' };
      const single = await ofrep('/triage', { rawBody: '{"context": {', headers });
      expect(single.status).toBe(400);
      expect(single.body).toEqual({ key: 'triage', errorCode: 'PARSE_ERROR', errorDetails: expect.any(String) });
      const bulk = await ofrep('', { rawBody: 'not json', headers });
      expect(bulk.status).toBe(400);
      expect(bulk.body).toEqual({ errorCode: 'PARSE_ERROR', errorDetails: expect.any(String) });
      const notAnObject = await ofrep('/triage', { body: ['context'] });
      expect(notAnObject.body).toEqual({ key: 'triage', errorCode: 'PARSE_ERROR', errorDetails: expect.any(String) });
    });

    it('GENERAL when the service refuses the provider (an unknown key is a 401)', async () => {
      const domain = `${DOMAIN}-bad-key`;
      await OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl: t.baseUrl, headers: [['X-API-Key', 'pf_not-a-real-key']] }));
      const details = await OpenFeature.getClient(domain).getObjectDetails('triage', {} as JsonValue, { targetingKey: 'u' });
      expect(details).toMatchObject({ errorCode: 'GENERAL', reason: 'ERROR', value: {} });
    });
  });

  describe('OFREP auth: 401 without a body', () => {
    it('answers 401 with no body and WWW-Authenticate, for a missing or an unknown key', async () => {
      for (const key of [null, 'pf_unknown']) {
        const res = await ofrep('/triage', { key, body: { context: { targetingKey: 'u' } } });
        expect(res.status).toBe(401);
        expect(res.body).toBeUndefined();
        expect(res.headers.get('content-length')).toBe('0');
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
      const bulk = await ofrep('', { key: null, body: { context: { targetingKey: 'u' } } });
      expect([bulk.status, bulk.body]).toEqual([401, undefined]);
    });
  });

  describe('OFREP bulk: every flag, with an ETag and 304 when it matches', () => {
    it('evaluates every served flag for the context', async () => {
      const res = await ofrep('', { body: { context: { targetingKey: 'user-7' } } });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const byKey = Object.fromEntries(res.body.flags.map((f: { key: string }) => [f.key, f]));
      expect(Object.keys(byKey).sort()).toEqual(['canary', 'summarise', 'triage']);
      expect(byKey.triage.variant).toBe(resolver.resolve('triage', { targetingKey: 'user-7' }).variant);
      expect(byKey.summarise).toMatchObject({ value: { version: 1 }, variant: 'v1', metadata: { slug: 'summarise', version: 1 } });
    });

    it('answers 304 with no body for the same context and document, and 200 with a new ETag after a change', async () => {
      const body = { context: { targetingKey: 'user-8', tenant: 'acme' } };
      const first = await ofrep('', { body });
      const etag = first.headers.get('etag') as string;
      const again = await ofrep('', { body: { context: { tenant: 'acme', targetingKey: 'user-8' } }, headers: { 'if-none-match': etag } });
      expect([again.status, again.body]).toEqual([304, undefined]);
      expect(again.headers.get('etag')).toBe(etag);
      const otherUser = await ofrep('', { body: { context: { targetingKey: 'user-9' } }, headers: { 'if-none-match': etag } });
      expect(otherUser.status).toBe(200);
      expect((await putRollout(t, 'canary', { allocation: [] })).status).toBe(200);
      const changed = await ofrep('', { body, headers: { 'if-none-match': etag } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
    });

    it('refuses a context without a targeting key as a whole: 400 {errorCode, errorDetails}', async () => {
      const res = await ofrep('', { body: { context: {} } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ errorCode: 'TARGETING_KEY_MISSING', errorDetails: expect.any(String) });
    });
  });

  describe('OFREP: 429 with Retry-After once a client fails too often', () => {
    it('throttles unknown keys with an empty 429, while a known key still gets through', async () => {
      let res = await ofrep('/triage', { key: 'pf_guess', body: { context: { targetingKey: 'u' } } });
      for (let i = 0; i < AUTH_FAILURE_LIMIT + 1 && res.status === 401; i++) res = await ofrep('/triage', { key: 'pf_guess', body: { context: { targetingKey: 'u' } } });
      expect(res.status).toBe(429);
      expect(res.body).toBeUndefined();
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await ofrep('/triage', { key: null, body: { context: { targetingKey: 'u' } } })).status).toBe(429);
      expect((await ofrep('/triage', { body: { context: { targetingKey: 'u' } } })).status).toBe(200);
    });
  });

  // Last: it adds a slug, which the bulk answers above would otherwise list.
  describe('OFREP exposures and metrics', () => {
    it('records each single-flag evaluation as an exposure and counts it; bulk answers are neither', async () => {
      await seedPrompt(t, 'exposed', { count: 1, prod: 1 });
      const users = randomUsers(20);
      for (const targetingKey of users) expect((await evaluate('exposed', { targetingKey })).variant).toBe('v1');
      expect((await ofrep('', { body: { context: { targetingKey: users[0] } } })).status).toBe(200);
      await t.app.get(ExposureRecorder).flushAll();
      const results = await t.call('GET', '/v1/prompts/exposed/results');
      expect(results.body.versions).toEqual([expect.objectContaining({ version: 1, exposures: 20 })]);
      // Unique users come from a Redis HyperLogLog: an estimate, within one of 20 here.
      expect(Math.abs(results.body.versions[0].users - 20)).toBeLessThanOrEqual(1);
      const metrics = await t.call('GET', '/metrics', { key: null });
      expect(String(metrics.body)).toContain('promptflag_resolves_total{slug="exposed",version="1",reason="STATIC"} 20');
    });
  });
});
