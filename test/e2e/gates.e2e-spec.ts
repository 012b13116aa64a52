import { createTestApp, type TestApp, versionBody } from '../helpers/create-test-app';
import { attachEval, putRollout, seedPrompt } from '../helpers/seed';

const promote = (t: TestApp, slug: string, version: number, key?: string) =>
  t.call('POST', `/v1/prompts/${slug}/versions/${version}/status`, { body: { status: 'prod', reason: 'ship it' }, ...(key ? { key } : {}) });
const gates = (t: TestApp, slug: string, version: number) => t.call('GET', `/v1/prompts/${slug}/versions/${version}/gates`);
const putPolicy = (t: TestApp, slug: string, body: Record<string, unknown>, key?: string) =>
  t.call('PUT', `/v1/prompts/${slug}/policy`, { body: { reason: 'policy test', ...body }, ...(key ? { key } : {}) });

describe('promotion gates (redis store)', () => {
  let t: TestApp;
  const keys: Record<'alice' | 'bob' | 'reader' | 'experimenter', string> = { alice: '', bob: '', reader: '', experimenter: '' };

  beforeAll(async () => {
    t = await createTestApp({ store: 'redis' });
    for (const [name, role] of [['alice', 'author'], ['bob', 'author'], ['reader', 'reader'], ['experimenter', 'experimenter']] as const) {
      const res = await t.call('POST', '/v1/keys', { body: { name, role, reason: 'gate test' } });
      keys[name] = res.body.key;
    }
  });
  afterAll(async () => {
    await t.close();
  });

  /** v1 prod (with an eval), v2 staging written by alice without an eval. */
  async function slugWithCandidate(slug: string, body: Record<string, unknown> = {}): Promise<void> {
    await seedPrompt(t, slug, { count: 1, prod: 1 });
    const created = await t.call('POST', `/v1/prompts/${slug}/versions`, { body: versionBody({ template: 'v2 {{company}} {{ticket}}', ...body }), key: keys.alice });
    expect(created.body.version).toBe(2);
    expect((await t.call('POST', `/v1/prompts/${slug}/versions/2/status`, { body: { status: 'staging', reason: 'try' } })).status).toBe(200);
  }

  it('refuses prod without an eval with a 409 naming the gate, and allows it once a passing eval is attached', async () => {
    await slugWithCandidate('needs-eval');
    const refused = await promote(t, 'needs-eval', 2);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/version 2 cannot go to prod: unmet gate eval \(no eval result attached/);
    expect(refused.body.details.unmetGates).toEqual([{ version: 2, gates: [{ gate: 'eval', detail: expect.stringMatching(/no eval result/) }] }]);
    expect((await t.call('GET', '/v1/prompts/needs-eval/versions/2')).body.status).toBe('staging');

    const failing = await t.call('POST', '/v1/prompts/needs-eval/versions/2/evals', { body: { suiteHash: 'suite-x', score: 0.41, passed: false }, key: keys.alice });
    expect(failing.status).toBe(201);
    expect(failing.body).toMatchObject({ version: 2, cleared: false, evals: [{ suiteHash: 'suite-x', score: 0.41, passed: false, recordedBy: 'alice' }] });
    expect((await promote(t, 'needs-eval', 2)).body.message).toMatch(/score 0.41\) did not pass/);

    await attachEval(t, 'needs-eval', 2, { runUrl: 'https://ci.example.com/runs/7' });
    const status = await gates(t, 'needs-eval', 2);
    expect(status.body).toMatchObject({ cleared: true, policy: { evalThreshold: null, highStakes: false, canaryPercent: 5 } });
    expect(status.body.gates.map((g: { gate: string; met: boolean }) => [g.gate, g.met])).toEqual([
      ['lint', true],
      ['eval', true],
      ['approval', true],
    ]);
    expect((await promote(t, 'needs-eval', 2)).body.status).toBe('prod');
  });

  it("applies the slug's threshold and the version's declared eval suite", async () => {
    await slugWithCandidate('thresholds', { evalHash: 'suite-declared' });
    expect((await putPolicy(t, 'thresholds', { evalThreshold: 0.95 })).body).toMatchObject({ slug: 'thresholds', evalThreshold: 0.95, custom: true, updatedBy: 'admin' });
    await attachEval(t, 'thresholds', 2, { suiteHash: 'suite-other', score: 0.99 });
    expect((await promote(t, 'thresholds', 2)).body.message).toMatch(/ran suite suite-other, but the version declares suite suite-declared/);
    await attachEval(t, 'thresholds', 2, { suiteHash: 'suite-declared', score: 0.9 });
    expect((await promote(t, 'thresholds', 2)).body.message).toMatch(/scored 0.9, below the slug's threshold 0.95/);
    await attachEval(t, 'thresholds', 2, { suiteHash: 'suite-declared', score: 0.95 });
    expect((await promote(t, 'thresholds', 2)).status).toBe(200);
  });

  it('on a high-stakes slug needs an approval by someone other than the author', async () => {
    await slugWithCandidate('high-stakes');
    await putPolicy(t, 'high-stakes', { highStakes: true });
    await attachEval(t, 'high-stakes', 2);
    expect((await promote(t, 'high-stakes', 2)).body.message).toMatch(/unmet gate approval \(high-stakes slug: needs an approval by someone other than the author \(alice\)\)/);

    const own = await t.call('POST', '/v1/prompts/high-stakes/versions/2/approvals', { body: { comment: 'I checked my own work' }, key: keys.alice });
    expect(own.status).toBe(409);
    expect(own.body.message).toMatch(/alice wrote version 2 .* cannot approve it/);

    const approved = await t.call('POST', '/v1/prompts/high-stakes/versions/2/approvals', { body: { comment: 'read the diff and the evals' }, key: keys.bob });
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({ cleared: true, approvals: [{ approver: 'bob', comment: 'read the diff and the evals' }] });
    const again = await t.call('POST', '/v1/prompts/high-stakes/versions/2/approvals', { body: { comment: 'twice' }, key: keys.bob });
    expect(again.status).toBe(200);
    expect(again.body.approvals).toHaveLength(1);
    expect((await promote(t, 'high-stakes', 2)).status).toBe(200);

    const audit = (await t.call('GET', '/v1/audit?slug=high-stakes&limit=50')).body.items as { action: string; actor: string; reason: string }[];
    expect(audit.filter((e) => e.action.startsWith('version.approv') || e.action === 'gates.policy_changed').map((e) => [e.action, e.actor])).toEqual([
      ['version.approved', 'bob'],
      ['version.approval_refused', 'alice'],
      ['gates.policy_changed', 'admin'],
    ]);
  });

  it('lets an ungated version take up to the canary share, and no more, through the allocation or a rule', async () => {
    await slugWithCandidate('canary');
    expect((await putRollout(t, 'canary', { allocation: [{ version: 1, weight: 95 }, { version: 2, weight: 5 }] })).status).toBe(200);
    const tooMuch = await putRollout(t, 'canary', { allocation: [{ version: 1, weight: 94 }, { version: 2, weight: 6 }] });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.message).toMatch(/version 2 cannot get 6% of traffic \(canary limit 5%\): unmet gate eval/);
    const pinned = await putRollout(t, 'canary', { allocation: [], rules: [{ name: 'acme', match: { tenant: ['acme'] }, version: 2 }] });
    expect(pinned.status).toBe(409);
    expect(pinned.body.message).toMatch(/pinned by rule acme/);
    expect((await t.call('GET', '/v1/prompts/canary/rollout')).body.allocation).toEqual([{ version: 1, weight: 95 }, { version: 2, weight: 5 }]);

    await putPolicy(t, 'canary', { canaryPercent: 1 });
    expect((await putRollout(t, 'canary', { allocation: [{ version: 1, weight: 98 }, { version: 2, weight: 2 }] })).status).toBe(409);
    await attachEval(t, 'canary', 2);
    expect((await putRollout(t, 'canary', { allocation: [{ version: 1, weight: 50 }, { version: 2, weight: 50 }] })).status).toBe(200);
  });

  it('refuses to start a ramp (which ends in prod) for a candidate that has not met the gates', async () => {
    await slugWithCandidate('ramp-gated');
    const ramp = () => t.call('POST', '/v1/prompts/ramp-gated/ramps', { body: { version: 2, steps: [1, 50, 100], holdSeconds: 60, reason: 'ramp' } });
    const refused = await ramp();
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/unmet gate eval/);
    await attachEval(t, 'ramp-gated', 2);
    expect((await ramp()).status).toBe(201);
  });

  it('never gates a rollback to a version that was prod before, nor the kill switch', async () => {
    await slugWithCandidate('rollback-free');
    await attachEval(t, 'rollback-free', 2);
    expect((await promote(t, 'rollback-free', 2)).status).toBe(200);
    await putPolicy(t, 'rollback-free', { evalThreshold: 0.99, highStakes: true });
    const rollback = await t.call('POST', '/v1/prompts/rollback-free/rollback', { body: { toVersion: 1, reason: 'v2 misbehaves' } });
    expect(rollback.status).toBe(200);
    expect((await t.call('GET', '/v1/prompts/rollback-free/versions/1')).body.status).toBe('prod');
    expect((await t.call('POST', '/v1/prompts/rollback-free/kill', { body: { reason: 'incident' } })).status).toBe(200);
  });

  it('validates evals, approvals and policies with errors naming the field, and checks roles', async () => {
    await slugWithCandidate('bad-gates');
    const evalOf = (body: unknown, key?: string) => t.call('POST', '/v1/prompts/bad-gates/versions/2/evals', { body, ...(key ? { key } : {}) });
    for (const [body, field] of [
      [{ score: 1, passed: true }, 'suiteHash'],
      [{ suiteHash: 's', score: 'high', passed: true }, 'score'],
      [{ suiteHash: 's', score: 1, passed: 'yes' }, 'passed'],
      [{ suiteHash: 's', score: 1, passed: true, runUrl: 'not a url' }, 'runUrl'],
    ] as const) {
      const res = await evalOf(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
    }
    expect((await evalOf({ suiteHash: 's', score: 1, passed: true }, keys.reader)).status).toBe(403);
    expect((await t.call('POST', '/v1/prompts/bad-gates/versions/9/evals', { body: { suiteHash: 's', score: 1, passed: true } })).status).toBe(404);
    expect((await t.call('POST', '/v1/prompts/bad-gates/versions/2/approvals', { body: {} })).body.message).toContain('comment');
    expect((await gates(t, 'bad-gates', 2)).body.evals).toEqual([]);

    const badPolicy = await putPolicy(t, 'bad-gates', { canaryPercent: 150 });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.body.message).toContain('canaryPercent');
    expect((await putPolicy(t, 'bad-gates', { highStakes: true }, keys.experimenter)).status).toBe(403);
    expect((await t.call('GET', '/v1/prompts/bad-gates/policy')).body).toMatchObject({ custom: false, highStakes: false, canaryPercent: 5, evalThreshold: null });
  });
});
