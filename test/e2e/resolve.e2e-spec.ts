import { FlagdCore } from '@openfeature/flagd-core';
import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import vectors from '../fixtures/prompt-rollout-vectors.json';
import { createTestApp, type StoreKind, type TestApp } from '../helpers/create-test-app';
import { mapConcurrently, putRollout, seedPrompt, seededTemplate } from '../helpers/seed';

describe.each<StoreKind>(['redis', 'embedded'])('resolve and rollouts over HTTP (%s store)', (store) => {
  let t: TestApp;
  const resolve = (slug: string, body: Record<string, unknown>) => t.call('POST', `/v1/prompts/${slug}/resolve`, { body });

  beforeAll(async () => {
    t = await createTestApp({ store });
    await seedPrompt(t, 'triage', { count: 3, prod: 1, staging: [2] });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('resolve', () => {
    it('answers 404 for a slug with no prod version', async () => {
      await seedPrompt(t, 'drafts-only', { count: 1 });
      const res = await resolve('drafts-only', { targetingKey: 'u1' });
      expect(res.status).toBe(404);
      expect(res.body.message).toContain('drafts-only');
    });

    it('serves the baseline to everyone without a rollout, and omits rendered without variables', async () => {
      const res = await resolve('triage', { targetingKey: 'user-1' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        slug: 'triage',
        version: 1,
        variant: 'v1',
        reason: 'STATIC',
        revision: expect.any(Number),
        modelHint: 'gpt-4o-2024-08-06',
        contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        template: seededTemplate(1),
      });
    });

    it('renders single-pass with no HTML escaping', async () => {
      const res = await resolve('triage', { targetingKey: 'u', variables: { company: 'A&B <Co>', ticket: 'my {{company}} is {{{broken}}}' } });
      expect(res.body.rendered).toBe('v1 triage for A&B <Co>: my {{company}} is {{{broken}}}');
    });

    it('answers 422 naming a missing required or an undeclared variable', async () => {
      const missing = await resolve('triage', { targetingKey: 'u', variables: { company: 'Acme' } });
      expect(missing.status).toBe(422);
      expect(missing.body.message).toContain('ticket');
      const undeclared = await resolve('triage', { targetingKey: 'u', variables: { company: 'Acme', ticket: 't', tone: 'rude' } });
      expect(undeclared.status).toBe(422);
      expect(undeclared.body.message).toContain('tone');
    });

    it('answers 400 without a targeting key', async () => {
      const res = await resolve('triage', { context: { tenant: 'acme' } });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('targetingKey');
    });
  });

  describe('rollout edits', () => {
    it('requires If-Match, and a stale revision is a 409 that changes nothing', async () => {
      const before = await t.call('GET', '/v1/prompts/triage/rollout');
      expect(before.headers.get('etag')).toBe(`"${before.body.revision}"`);
      const body = { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }], reason: 'ab' };
      expect((await t.call('PUT', '/v1/prompts/triage/rollout', { body })).status).toBe(428);
      const stale = await t.call('PUT', '/v1/prompts/triage/rollout', { body, headers: { 'if-match': `"${before.body.revision - 1}"` } });
      expect(stale.status).toBe(409);
      expect(stale.body.details).toMatchObject({ currentRevision: before.body.revision });
      expect((await t.call('GET', '/v1/prompts/triage/rollout')).body).toEqual(before.body);
    });

    it.each([
      ['a draft version', [{ version: 3, weight: 1 }], 'allocation[0].version'],
      ['an unknown version', [{ version: 9, weight: 1 }], 'allocation[0].version'],
      ['a version named twice', [{ version: 2, weight: 1 }, { version: 2, weight: 1 }], 'allocation[1].version'],
      ['weights summing to 0', [{ version: 2, weight: 0 }, { version: 1, weight: 0 }], 'allocation'],
    ])('refuses %s with 422 naming the field', async (_name, allocation, field) => {
      const res = await putRollout(t, 'triage', { allocation });
      expect(res.status).toBe(422);
      expect(res.body.details.problems.map((p: { field: string }) => p.field)).toContain(field);
    });

    it('refuses a fractional weight with 400', async () => {
      const res = await putRollout(t, 'triage', { allocation: [{ version: 2, weight: 0.5 }, { version: 1, weight: 1 }] });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('weight');
    });

    it('splits users deterministically and keeps each on one version', async () => {
      const res = await putRollout(t, 'triage', { allocation: [{ version: 2, weight: 5000 }, { version: 1, weight: 5000 }] });
      expect(res.status).toBe(200);
      const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
      const first = await mapConcurrently(keys, 16, async (k) => (await resolve('triage', { targetingKey: k })).body.version);
      const again = await mapConcurrently(keys, 16, async (k) => (await resolve('triage', { targetingKey: k })).body.version);
      expect(again).toEqual(first);
      const onCandidate = first.filter((v) => v === 2).length;
      expect(onCandidate).toBeGreaterThan(70);
      expect(onCandidate).toBeLessThan(130);
    });

    it('pins a segment with a rule, whatever the split says', async () => {
      await putRollout(t, 'triage', { allocation: [{ version: 2, weight: 0 }, { version: 1, weight: 1 }], rules: [{ name: 'acme', match: { tenant: ['acme'] }, version: 2 }] });
      for (let i = 0; i < 20; i++) {
        expect((await resolve('triage', { targetingKey: `u${i}`, context: { tenant: 'acme' } })).body.version).toBe(2);
        expect((await resolve('triage', { targetingKey: `u${i}`, context: { tenant: 'other' } })).body.version).toBe(1);
      }
    });

    it('buckets on bucketBy so a session stays on one version across users', async () => {
      await putRollout(t, 'triage', { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }], bucketBy: 'sessionId' });
      for (let s = 0; s < 10; s++) {
        const versions = new Set<number>();
        for (let u = 0; u < 5; u++) versions.add((await resolve('triage', { targetingKey: `user-${u}`, context: { sessionId: `session-${s}` } })).body.version);
        expect(versions.size).toBe(1);
      }
    });

    it('audits every rollout change with before and after', async () => {
      const audit = await t.call('GET', '/v1/audit?slug=triage&limit=5');
      const latest = audit.body.items[0];
      expect(latest).toMatchObject({ action: 'rollout.replaced', actor: 'admin', reason: 'test', after: { bucketBy: 'sessionId' } });
      expect(latest.before.rules).toHaveLength(1);
    });
  });

  describe('agreement with flagd-core', () => {
    // 10,000 keys through the resolver every surface uses (the HTTP route is a thin shell over it), and a sample of
    // them over real HTTP as well: this sandbox's loopback makes 10,000 HTTP round trips take half a minute.
    it('answers like a plain flagd-core given our exported document, for 10,000 random keys', async () => {
      await putRollout(t, 'triage', { allocation: [{ version: 2, weight: 1234 }, { version: 1, weight: 8766 }] });
      const exported = await t.call('GET', '/v1/flags');
      const reference = new FlagdCore();
      reference.setConfigurations(JSON.stringify(exported.body));
      const expected = (targetingKey: string) => {
        const theirs = reference.resolveObjectEvaluation('triage', {}, { targetingKey });
        return `${theirs.variant}:${(theirs.value as { contentHash: string }).contentHash}`;
      };
      const keys = Array.from({ length: 10_000 }, (_, i) => `${Math.random().toString(36).slice(2)}-${i}`);
      const resolver = t.app.get(PromptResolver);
      const inProcess = keys.filter((targetingKey) => {
        const ours = resolver.resolve('triage', { targetingKey });
        return `${ours.variant}:${ours.contentHash}` !== expected(targetingKey);
      });
      expect(inProcess).toEqual([]);
      const overHttp = await mapConcurrently(keys.slice(0, 500), 16, async (targetingKey) => {
        const ours = (await resolve('triage', { targetingKey })).body;
        return `${ours.variant}:${ours.contentHash}` === expected(targetingKey) ? 0 : 1;
      });
      expect(overHttp.reduce((a: number, b) => a + b, 0)).toBe(0);
      const variants = new Set(keys.map(expected).map((v) => v.split(':')[0]));
      expect(variants).toEqual(new Set(['v1', 'v2']));
    });

    it('exports the document with an ETag and answers 304 when it has not changed', async () => {
      const first = await t.call('GET', '/v1/flags');
      expect(first.body.$schema).toBe('https://flagd.dev/schema/v0/flags.json');
      const etag = first.headers.get('etag') as string;
      expect((await t.call('GET', '/v1/flags', { headers: { 'if-none-match': etag } })).status).toBe(304);
      await putRollout(t, 'triage', { allocation: [] });
      const changed = await t.call('GET', '/v1/flags', { headers: { 'if-none-match': etag } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
    });
  });

  describe('our rollout vectors, through the resolve endpoint', () => {
    const cases = vectors.cases.filter((c) => !('killedTo' in c));
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, vectorCase) => {
      const slug = vectorCase.slug;
      const named = [vectorCase.baseline, ...vectorCase.rollout.allocation.map((a) => a.version), ...vectorCase.rollout.rules.map((r) => r.version)];
      const others = [...new Set(named)].filter((v) => v !== vectorCase.baseline);
      await seedPrompt(t, slug, { count: Math.max(...named), prod: vectorCase.baseline, staging: others });
      const put = await putRollout(t, slug, vectorCase.rollout);
      expect(put.status).toBe(200);
      for (const vector of vectorCase.vectors) {
        const { targetingKey, ...context } = vector.context as Record<string, unknown>;
        const res = await resolve(slug, { targetingKey: targetingKey ?? 'anonymous', context });
        if (targetingKey !== undefined) expect(res.body.variant).toBe(vector.variant);
      }
    });
  });
});
