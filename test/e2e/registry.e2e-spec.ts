import { createTestApp, type StoreKind, type TestApp, versionBody } from '../helpers/create-test-app';
import { attachEval } from '../helpers/seed';

describe.each<StoreKind>(['redis', 'embedded'])('registry over HTTP (%s store)', (store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ store });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('versions are immutable and numbered by the server', () => {
    it('creates version 1 as a draft with server-set fields', async () => {
      const res = await t.call('POST', '/v1/prompts/support-triage/versions', { body: versionBody({ evalHash: 'suite-abc' }) });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        slug: 'support-triage',
        version: 1,
        status: 'draft',
        author: 'admin',
        modelHint: 'gpt-4o-2024-08-06',
        evalHash: 'suite-abc',
        warnings: [],
      });
      expect(res.body.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(Date.parse(res.body.createdAt)).not.toBeNaN();
    });

    it('gives the same content the same hash, and numbers the next version 2', async () => {
      const first = await t.call('GET', '/v1/prompts/support-triage/versions/1');
      const again = await t.call('POST', '/v1/prompts/support-triage/versions', { body: versionBody({ rationale: 'same text again' }) });
      expect(again.body.version).toBe(2);
      expect(again.body.contentHash).toBe(first.body.contentHash);
    });

    it('answers 405 to PUT, PATCH and DELETE on a version and leaves it unchanged', async () => {
      const before = await t.call('GET', '/v1/prompts/support-triage/versions/1');
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const res = await t.call(method, '/v1/prompts/support-triage/versions/1', { body: { template: 'changed' } });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('GET, HEAD');
      }
      expect((await t.call('GET', '/v1/prompts/support-triage/versions/1')).body).toEqual(before.body);
    });

    it('lists versions newest first with pagination', async () => {
      for (let i = 0; i < 3; i++) await t.call('POST', '/v1/prompts/paged/versions', { body: versionBody({ rationale: `r${i}` }) });
      const page = await t.call('GET', '/v1/prompts/paged/versions?offset=1&limit=1');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ total: 3, offset: 1, limit: 1 });
      expect(page.body.items.map((v: { version: number }) => v.version)).toEqual([2]);
      expect((await t.call('GET', '/v1/prompts/paged/versions?limit=1000')).status).toBe(400);
    });

    it('lists slugs with their latest and prod version', async () => {
      const res = await t.call('GET', '/v1/prompts');
      expect(res.body.items).toEqual(
        expect.arrayContaining([{ slug: 'paged', latestVersion: 3, prodVersion: null }, expect.objectContaining({ slug: 'support-triage' })]),
      );
    });

    it('answers 404 for an unknown version or slug', async () => {
      expect((await t.call('GET', '/v1/prompts/support-triage/versions/99')).status).toBe(404);
      expect((await t.call('GET', '/v1/prompts/no-such-prompt/versions')).status).toBe(404);
    });
  });

  describe('lifecycle', () => {
    const slug = 'lifecycle';
    const move = (version: number, status: string) => t.call('POST', `/v1/prompts/${slug}/versions/${version}/status`, { body: { status, reason: `to ${status}` } });

    beforeAll(async () => {
      for (let i = 1; i <= 2; i++) {
        await t.call('POST', `/v1/prompts/${slug}/versions`, { body: versionBody({ template: `v${i}: {{company}} {{ticket}}` }) });
        await attachEval(t, slug, i);
      }
    });

    it('refuses draft → prod and names the allowed transitions', async () => {
      const res = await move(1, 'prod');
      expect(res.status).toBe(409);
      expect(res.body.message).toContain('staging');
      expect(res.body.details).toMatchObject({ from: 'draft', to: 'prod', allowed: ['staging'] });
    });

    it('promotes draft → staging → prod', async () => {
      expect((await move(1, 'staging')).body.status).toBe('staging');
      expect((await move(1, 'prod')).body.status).toBe('prod');
    });

    it('deprecates the previous prod in the same step as a promotion', async () => {
      await move(2, 'staging');
      expect((await move(2, 'prod')).body.status).toBe('prod');
      expect((await t.call('GET', `/v1/prompts/${slug}/versions/1`)).body.status).toBe('deprecated');
      const summary = (await t.call('GET', '/v1/prompts')).body.items.find((p: { slug: string }) => p.slug === slug);
      expect(summary).toEqual({ slug, latestVersion: 2, prodVersion: 2 });
    });

    it('re-promotes a deprecated version (rollback) and never goes back to draft', async () => {
      expect((await move(1, 'prod')).body.status).toBe('prod');
      expect((await t.call('GET', `/v1/prompts/${slug}/versions/2`)).body.status).toBe('deprecated');
      const res = await move(2, 'draft');
      expect(res.status).toBe(409);
      expect(res.body.details.allowed).toEqual(['prod']);
    });

    it('requires a reason and a known status', async () => {
      const res = await t.call('POST', `/v1/prompts/${slug}/versions/1/status`, { body: { status: 'live' } });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/status/);
      expect(res.body.message).toMatch(/reason/);
    });

    it('audits every change with who, what, when and why, newest first, in a verifiable chain', async () => {
      const res = await t.call('GET', `/v1/audit?slug=${slug}`);
      expect(res.status).toBe(200);
      const actions = res.body.items.map((e: { action: string; version: number; after: { status?: string } }) => `${e.action}:${e.version}:${e.after?.status ?? ''}`);
      expect(actions).toEqual([
        'version.status_changed:1:prod',
        'version.status_changed:2:deprecated',
        'version.status_changed:2:prod',
        'version.status_changed:1:deprecated',
        'version.status_changed:2:staging',
        'version.status_changed:1:prod',
        'version.status_changed:1:staging',
        'version.eval_recorded:2:',
        'version.created:2:draft',
        'version.eval_recorded:1:',
        'version.created:1:draft',
      ]);
      for (const entry of res.body.items) {
        expect(entry).toMatchObject({ actor: 'admin', slug });
        expect(entry.reason).toEqual(expect.any(String));
        expect(Date.parse(entry.at)).not.toBeNaN();
      }
      const verify = await t.call('GET', `/v1/audit/verify?chain=${slug}`);
      expect(verify.body).toMatchObject({ ok: true, chains: [{ chain: slug, ok: true, length: 11 }] });
    });
  });

  describe('concurrency and retries', () => {
    it('numbers 50 concurrent creates on one slug exactly 1..50', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => t.call('POST', '/v1/prompts/busy/versions', { body: versionBody({ rationale: `writer ${i}` }) })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
      expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const audit = await t.call('GET', '/v1/audit?slug=busy&limit=500');
      expect(audit.body.items).toHaveLength(50);
    });

    it('returns the first result for a retried create with the same Idempotency-Key', async () => {
      const headers = { 'idempotency-key': 'retry-1' };
      const first = await t.call('POST', '/v1/prompts/retried/versions', { body: versionBody(), headers });
      const retry = await t.call('POST', '/v1/prompts/retried/versions', { body: versionBody(), headers });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect((await t.call('GET', '/v1/prompts/retried/versions')).body.total).toBe(1);
    });

    it('refuses an Idempotency-Key reused with different content', async () => {
      const headers = { 'idempotency-key': 'retry-2' };
      await t.call('POST', '/v1/prompts/retried/versions', { body: versionBody(), headers });
      const res = await t.call('POST', '/v1/prompts/retried/versions', { body: versionBody({ template: 'other {{company}} {{ticket}}' }), headers });
      expect(res.status).toBe(409);
      expect(res.body.message).toContain('retry-2');
    });
  });

  describe('bad input gets a clear error and writes nothing', () => {
    const create = (body: unknown, slug = 'bad-input') => t.call('POST', `/v1/prompts/${slug}/versions`, { body });

    it.each([
      ['author', { author: 'mallory' }],
      ['version', { version: 7 }],
      ['status', { status: 'prod' }],
      ['contentHash', { contentHash: 'x' }],
    ])('refuses a server-set field (%s) with 400 naming it', async (field, extra) => {
      const res = await create(versionBody(extra));
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
    });

    it('refuses a bad slug, a missing template and an undated model with 400 naming the field', async () => {
      const badSlug = await create(versionBody(), 'Bad_Slug');
      expect(badSlug.status).toBe(400);
      expect(badSlug.body.message).toContain('slug');
      const noTemplate = await create({ ...versionBody(), template: undefined });
      expect(noTemplate.status).toBe(400);
      expect(noTemplate.body.message).toContain('template');
      const undated = await create(versionBody({ modelHint: 'gpt-4o' }));
      expect(undated.status).toBe(400);
      expect(undated.body.message).toContain('modelHint');
    });

    it('answers 422 naming an undeclared placeholder and its position', async () => {
      const res = await create(versionBody({ template: 'Hello {{company}}\nTicket {{ticket}} from {{customer}}' }));
      expect(res.status).toBe(422);
      expect(res.body.message).toContain('customer');
      expect(res.body.details.errors[0]).toMatchObject({ code: 'UNDECLARED_VARIABLE', variable: 'customer', line: 2, column: 24 });
    });

    it('answers 422 for an unused required variable, a section and a partial', async () => {
      const unused = await create(versionBody({ template: 'Only {{company}}' }));
      expect(unused.status).toBe(422);
      expect(unused.body.details.errors[0]).toMatchObject({ code: 'REQUIRED_VARIABLE_UNUSED', variable: 'ticket' });
      for (const template of ['{{#company}}x{{/company}} {{ticket}}', '{{>header}} {{company}} {{ticket}}']) {
        const res = await create(versionBody({ template }));
        expect(res.status).toBe(422);
        expect(res.body.details.errors.map((e: { code: string }) => e.code)).toContain('LOGIC_NOT_ALLOWED');
      }
    });

    it('answers 413 for a template over 64 KiB and for a body over the limit', async () => {
      const big = await create(versionBody({ template: `{{company}} {{ticket}} ${'x'.repeat(64 * 1024)}` }));
      expect(big.status).toBe(413);
      expect(big.body.message).toContain('template');
      const huge = await t.call('POST', '/v1/prompts/bad-input/versions', { rawBody: JSON.stringify(versionBody({ template: 'y'.repeat(2 * 1024 * 1024) })), headers: { 'content-type': 'application/json' } });
      expect(huge.status).toBe(413);
    });

    it('answers 415 for a non-JSON body and 400 for broken JSON', async () => {
      const text = await t.call('POST', '/v1/prompts/bad-input/versions', { rawBody: 'template=hi', headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(415);
      const broken = await t.call('POST', '/v1/prompts/bad-input/versions', { rawBody: '{"template": ', headers: { 'content-type': 'application/json' } });
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('wrote nothing for any refused request', async () => {
      expect((await t.call('GET', '/v1/prompts/bad-input/versions')).status).toBe(404);
    });

    it('lints for CI without writing: 422 on errors, 200 with warnings otherwise', async () => {
      const bad = await t.call('POST', '/v1/lint', { body: { template: 'Hi {{who}}', variables: [] } });
      expect(bad.status).toBe(422);
      expect(bad.body.details.errors[0]).toMatchObject({ variable: 'who', line: 1, column: 4 });
      const warn = await t.call('POST', '/v1/lint', { body: { template: 'Hi', variables: [{ name: 'spare' }] } });
      expect(warn.status).toBe(200);
      expect(warn.body).toMatchObject({ valid: true, errors: [], warnings: [{ code: 'OPTIONAL_VARIABLE_UNUSED', variable: 'spare' }] });
    });
  });
});
