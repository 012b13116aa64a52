import { createTestApp, type TestApp } from '../helpers/create-test-app';
import { seedPrompt } from '../helpers/seed';

describe('200 concurrent rollout edits with If-Match (redis store)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ store: 'redis' });
    await seedPrompt(t, 'contended', { count: 2, prod: 1, staging: [2] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('applies or refuses each edit with 409, and loses none that it applied', async () => {
    const start = (await t.call('GET', '/v1/prompts/contended/rollout')).body.revision as number;
    // Every editor reads, then writes against what it read, retrying a few times on 409 like a careful client.
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, async (_, editor) => {
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const revision = (await t.call('GET', '/v1/prompts/contended/rollout')).body.revision;
          const body = { allocation: [{ version: 2, weight: editor + 1 }, { version: 1, weight: 1000 }], reason: `editor-${editor}` };
          const res = await t.call('PUT', '/v1/prompts/contended/rollout', { body, headers: { 'if-match': `"${revision}"` } });
          statuses.push(res.status);
          if (res.status !== 409) break;
        }
        return { editor, statuses };
      }),
    );
    const all = outcomes.flatMap((o) => o.statuses);
    expect(all.every((s) => s === 200 || s === 409)).toBe(true);
    const applied = outcomes.filter((o) => o.statuses.includes(200)).map((o) => `editor-${o.editor}`);
    expect(all.filter((s) => s === 200)).toHaveLength(applied.length);

    const end = await t.call('GET', '/v1/prompts/contended/rollout');
    expect(end.body.revision - start).toBe(applied.length);
    const audit = (await t.call('GET', '/v1/audit?slug=contended&limit=500')).body.items.filter((e: { action: string }) => e.action === 'rollout.replaced');
    expect(audit.map((e: { reason: string }) => e.reason).sort()).toEqual([...applied].sort());
    // The stored rollout is exactly the newest applied edit.
    const newest = audit[0];
    expect(end.body.allocation).toEqual(newest.after.allocation);
    console.log(`rollout contention: ${all.length} PUTs, ${applied.length} applied, ${all.filter((s) => s === 409).length} refused with 409, 0 lost`);
  });
});
