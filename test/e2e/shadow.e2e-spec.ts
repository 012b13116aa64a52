import { createTestApp, type TestApp } from '../helpers/create-test-app';
import { putRollout, seedPrompt, seededTemplate } from '../helpers/seed';

describe('Shadow versions (embedded store)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ store: 'embedded' });
    await seedPrompt(t, 'shadowed', { count: 3, prod: 1, staging: [2] });
  });
  afterAll(async () => {
    await t.close();
  });

  const resolve = (user: string, variables?: Record<string, string>) =>
    t.call('POST', '/v1/prompts/shadowed/resolve', { body: { targetingKey: user, ...(variables ? { variables } : {}) } });

  it('refuses a shadow that is not a staging version', async () => {
    expect((await putRollout(t, 'shadowed', { allocation: [], shadow: 1 })).status).toBe(422); // the baseline
    expect((await putRollout(t, 'shadowed', { allocation: [], shadow: 3 })).status).toBe(422); // a draft
    expect((await putRollout(t, 'shadowed', { allocation: [], shadow: 9 })).status).toBe(422);
  });

  it('returns the shadow, marked as such and rendered, beside the served prompt; the flag carries it in metadata', async () => {
    const put = await putRollout(t, 'shadowed', { allocation: [], shadow: 2 });
    expect(put.status).toBe(200);
    expect(put.body.shadow).toBe(2);
    const res = await resolve('u1', { company: 'Acme', ticket: 'help' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1, template: seededTemplate(1), rendered: 'v1 triage for Acme: help' });
    expect(res.body.shadow).toMatchObject({ shadow: true, version: 2, variant: 'v2', template: seededTemplate(2), rendered: 'v2 triage for Acme: help' });
    expect(res.body.shadow.contentHash).toEqual(expect.any(String));

    const flag = (await t.call('GET', '/v1/flags')).body.flags.shadowed;
    expect(flag.metadata).toMatchObject({ shadowVersion: 2, shadowVariant: 'v2' });
    expect(flag.variants.v2.version).toBe(2);
    expect(flag.defaultVariant).toBe('v1');
  });

  it('returns no shadow to a user the split already serves it to, nor while the slug is killed', async () => {
    expect((await putRollout(t, 'shadowed', { allocation: [{ version: 2, weight: 1 }], shadow: 2 })).status).toBe(200);
    const served = await resolve('u2');
    expect(served.body.version).toBe(2);
    expect(served.body.shadow).toBeUndefined();

    expect((await putRollout(t, 'shadowed', { allocation: [], shadow: 2 })).status).toBe(200);
    expect((await t.call('POST', '/v1/prompts/shadowed/kill', { body: { reason: 'INC' } })).status).toBe(200);
    expect((await resolve('u3')).body.shadow).toBeUndefined();
    expect((await t.call('POST', '/v1/prompts/shadowed/restore', { body: { reason: 'ok' } })).status).toBe(200);
    expect((await resolve('u3')).body.shadow).toMatchObject({ version: 2 });
  });

  it('drops the shadow once it is promoted (it is the baseline then)', async () => {
    expect((await t.call('POST', '/v1/prompts/shadowed/versions/2/status', { body: { status: 'prod', reason: 'ship' } })).status).toBe(200);
    const res = await resolve('u4');
    expect(res.body.version).toBe(2);
    expect(res.body.shadow).toBeUndefined();
    expect((await t.call('GET', '/v1/flags')).body.flags.shadowed.metadata.shadowVersion).toBeUndefined();
  });
});
