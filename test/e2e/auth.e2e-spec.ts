import { ROLES, type Role, roleAllows } from '../../src/auth/domain/roles';
import { createReplica, createTestApp, type TestApp, versionBody } from '../helpers/create-test-app';
import { waitFor } from '../helpers/seed';

/** Every route with the least role it needs. */
const ROUTES: { method: string; path: string; needs: Role; body?: unknown; headers?: Record<string, string> }[] = [
  { method: 'GET', path: '/v1/prompts', needs: 'reader' },
  { method: 'POST', path: '/v1/prompts/roles/versions', needs: 'author', body: versionBody() },
  { method: 'GET', path: '/v1/prompts/roles/versions', needs: 'reader' },
  { method: 'GET', path: '/v1/prompts/roles/versions/1', needs: 'reader' },
  { method: 'POST', path: '/v1/prompts/roles/versions/1/status', needs: 'experimenter', body: { status: 'deprecated', reason: 'role check' } },
  { method: 'POST', path: '/v1/lint', needs: 'author', body: { template: 'hi' } },
  { method: 'GET', path: '/v1/prompts/roles/versions/1/gates', needs: 'reader' },
  { method: 'POST', path: '/v1/prompts/roles/versions/1/evals', needs: 'author', body: { suiteHash: 'role-check', score: 1, passed: true } },
  { method: 'POST', path: '/v1/prompts/roles/versions/1/approvals', needs: 'author', body: { comment: 'role check' } },
  { method: 'GET', path: '/v1/prompts/roles/policy', needs: 'reader' },
  { method: 'PUT', path: '/v1/prompts/roles/policy', needs: 'admin', body: { reason: 'role check' } },
  { method: 'GET', path: '/v1/prompts/roles/rollout', needs: 'reader' },
  { method: 'PUT', path: '/v1/prompts/roles/rollout', needs: 'experimenter', body: { allocation: [], reason: 'role check' }, headers: { 'if-match': '"999"' } },
  { method: 'POST', path: '/v1/prompts/roles/resolve', needs: 'reader', body: { targetingKey: 'u1' } },
  { method: 'GET', path: '/v1/flags', needs: 'reader' },
  { method: 'GET', path: '/v1/prompts/roles/kill', needs: 'reader' },
  { method: 'POST', path: '/v1/prompts/roles/kill', needs: 'responder', body: { reason: 'role check' } },
  { method: 'POST', path: '/v1/prompts/roles/restore', needs: 'responder', body: { reason: 'role check' } },
  { method: 'POST', path: '/v1/kill', needs: 'responder', body: { reason: 'role check' } },
  { method: 'POST', path: '/v1/restore', needs: 'responder', body: { reason: 'role check' } },
  { method: 'POST', path: '/v1/prompts/roles/rollback', needs: 'experimenter', body: { toVersion: 1, reason: 'role check' } },
  { method: 'GET', path: '/v1/audit', needs: 'reader' },
  { method: 'GET', path: '/v1/audit/verify', needs: 'admin' },
  { method: 'GET', path: '/v1/keys', needs: 'admin' },
  { method: 'POST', path: '/v1/keys', needs: 'admin', body: { name: 'made-in-role-check', role: 'reader' } },
  { method: 'DELETE', path: '/v1/keys/00000000-0000-0000-0000-000000000000', needs: 'admin' },
];

describe('authentication and roles (redis store)', () => {
  let t: TestApp;
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis', overrides: { AUTH_FAILURE_LIMIT: 5, AUTH_FAILURE_WINDOW_SECONDS: 60 } });
    for (const role of ROLES) {
      const res = await t.call('POST', '/v1/keys', { body: { name: `${role}-bot`, role, reason: 'test setup' } });
      expect(res.status).toBe(201);
      keys[role] = res.body.key;
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('returns a minted key once, and lists keys without secrets', async () => {
    expect(keys.reader).toMatch(/^pf_[0-9A-Za-z]{43}_[0-9a-z]{6}$/);
    const list = await t.call('GET', '/v1/keys');
    expect(list.body.items.map((k: { name: string }) => k.name)).toEqual(expect.arrayContaining(['reader-bot', 'admin-bot']));
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(keys.reader);
    expect(text).not.toContain('keyHash');
  });

  it('answers 401 without a key, with an unknown key and with a mistyped one', async () => {
    expect((await t.call('GET', '/v1/prompts', { key: null })).status).toBe(401);
    expect((await t.call('GET', '/v1/prompts', { key: 'not-a-key-but-long-enough-to-look-like-one' })).status).toBe(401);
    const mistyped = `${keys.reader.slice(0, -1)}${keys.reader.endsWith('a') ? 'b' : 'a'}`;
    const res = await t.call('GET', '/v1/prompts', { key: mistyped });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each(ROUTES)('$method $path needs $needs', async (route) => {
    for (const role of ROLES) {
      const res = await t.call(route.method, route.path, { key: keys[role], body: route.body, headers: route.headers });
      if (roleAllows(role, route.needs)) expect([401, 403]).not.toContain(res.status);
      else {
        expect(res.status).toBe(403);
        expect(res.body.message).toContain(route.needs);
      }
    }
  });

  it('uses the key name as author, never a name from the body', async () => {
    const res = await t.call('POST', '/v1/prompts/authored/versions', { key: keys.author, body: versionBody() });
    expect(res.body.author).toBe('author-bot');
  });

  it('revokes a key at once, and audits minting and revoking', async () => {
    const minted = await t.call('POST', '/v1/keys', { body: { name: 'short-lived', role: 'reader' } });
    expect((await t.call('GET', '/v1/prompts', { key: minted.body.key })).status).toBe(200);
    const revoked = await t.call('DELETE', `/v1/keys/${minted.body.id}?reason=rotated`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await t.call('GET', '/v1/prompts', { key: minted.body.key })).status).toBe(401);
    const audit = await t.call('GET', '/v1/audit?limit=500');
    const actions = audit.body.items.filter((e: { after?: { id?: string }; before?: { id?: string } }) => (e.after?.id ?? e.before?.id) === minted.body.id).map((e: { action: string }) => e.action);
    expect(actions).toEqual(['key.revoked', 'key.minted']);
  });

  it('revocation on one replica is effective on another at once', async () => {
    const other = await createReplica(t);
    try {
      const minted = await t.call('POST', '/v1/keys', { body: { name: 'cross-replica', role: 'reader' } });
      expect((await other.call('GET', '/v1/prompts', { key: minted.body.key })).status).toBe(200);
      await t.call('DELETE', `/v1/keys/${minted.body.id}`);
      await waitFor(async () => (await other.call('GET', '/v1/prompts', { key: minted.body.key })).status === 401);
    } finally {
      await other.close();
    }
  });

  it('throttles repeated failures with 429 and Retry-After, but never a valid key', async () => {
    // Earlier tests already failed a few times from this client; the limit is 5 failures per window.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await t.call('GET', '/v1/prompts', { key: `wrong-key-${i}-padding-padding-padding` })).status);
    const firstThrottled = statuses.indexOf(429);
    expect(firstThrottled).toBeGreaterThan(-1);
    expect(statuses.slice(0, firstThrottled).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(firstThrottled).every((s) => s === 429)).toBe(true);
    const throttled = await t.call('GET', '/v1/prompts', { key: 'still-wrong-padding-padding-padding' });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await t.call('GET', '/v1/prompts', { key: keys.reader })).status).toBe(200);
    expect((await t.call('POST', '/v1/prompts/roles/resolve', { key: keys.reader, body: { targetingKey: 'u' } })).status).not.toBe(429);
  });
});
