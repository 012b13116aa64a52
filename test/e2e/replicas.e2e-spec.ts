import { RedisServer } from '../helpers/redis-server';
import { createReplica, createTestApp, type TestApp, versionBody } from '../helpers/create-test-app';
import { putRollout, seedPrompt, waitFor } from '../helpers/seed';

describe('two replicas on one Redis', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp({ store: 'redis' });
    b = await createReplica(a);
    await seedPrompt(a, 'shared', { count: 2, prod: 1, staging: [2] });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const versionOn = async (app: TestApp, targetingKey: string) => (await app.call('POST', '/v1/prompts/shared/resolve', { body: { targetingKey } })).body.version;

  it('serves a rollout change made through one replica from the other', async () => {
    await waitFor(async () => (await versionOn(b, 'someone')) === 1);
    expect((await putRollout(a, 'shared', { allocation: [{ version: 2, weight: 1 }] })).status).toBe(200);
    await waitFor(async () => (await versionOn(b, 'someone')) === 2, 2000);
  });

  it('serves a promotion made through the other replica', async () => {
    const res = await b.call('POST', '/v1/prompts/shared/versions/2/status', { body: { status: 'prod', reason: 'promote on b' } });
    expect(res.status).toBe(200);
    expect((await putRollout(b, 'shared', { allocation: [] })).status).toBe(200);
    await waitFor(async () => (await a.call('GET', '/v1/prompts/shared/rollout')).body.baseline === 2);
    await waitFor(async () => (await versionOn(a, 'anyone')) === 2, 2000);
  });
});

describe('store outage', () => {
  let redis: RedisServer;
  let t: TestApp;

  beforeAll(async () => {
    redis = await RedisServer.start();
    t = await createTestApp({ store: 'redis', overrides: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: 300 } as never });
    await seedPrompt(t, 'outage', { count: 2, prod: 2 });
  });
  afterAll(async () => {
    if (redis.pid) process.kill(redis.pid, 'SIGCONT');
    await t.close();
    await redis.stop();
  });

  it('keeps serving the last known flags with reason STALE, reports not ready, and fails writes fast with 503', async () => {
    process.kill(redis.pid as number, 'SIGSTOP');
    try {
      await waitFor(async () => (await t.call('POST', '/v1/prompts/outage/resolve', { body: { targetingKey: 'u1' } })).body.reason === 'STALE', 5000);
      const served = await t.call('POST', '/v1/prompts/outage/resolve', { body: { targetingKey: 'u2', variables: { company: 'Acme', ticket: 'help' } } });
      expect(served.body).toMatchObject({ version: 2, reason: 'STALE', rendered: 'v2 triage for Acme: help' });

      const ready = await t.call('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details.serving).toMatchObject({ status: 'down', stale: true });

      const started = Date.now();
      const write = await t.call('POST', '/v1/prompts/outage/versions', { body: versionBody() });
      expect(write.status).toBe(503);
      expect(write.body.message).toMatch(/redis/i);
      console.log(`store outage: a write answered ${write.status} after ${Date.now() - started} ms`);
    } finally {
      process.kill(redis.pid as number, 'SIGCONT');
    }
    await waitFor(async () => (await t.call('POST', '/v1/prompts/outage/resolve', { body: { targetingKey: 'u1' } })).body.reason !== 'STALE', 5000);
    expect((await t.call('GET', '/ready')).status).toBe(200);
  });
});
