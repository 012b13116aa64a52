import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlagFileImportService } from '../../src/gitops/flag-file-import.service';
import { createTestApp, type TestApp } from '../helpers/create-test-app';
import { putRollout, seedPrompt } from '../helpers/seed';

describe('GitOps: flag files in flags/ are imported on start', () => {
  let source: TestApp;
  let flagsDir: string;

  beforeAll(async () => {
    flagsDir = mkdtempSync(join(tmpdir(), 'promptflag-flags-'));
    source = await createTestApp({ store: 'embedded' });
    await seedPrompt(source, 'imported', { count: 3, prod: 1, staging: [2, 3] });
    await putRollout(source, 'imported', { allocation: [{ version: 2, weight: 30 }, { version: 1, weight: 70 }], rules: [{ match: { tenant: ['acme'] }, version: 3 }] });
    writeFileSync(join(flagsDir, 'prompts.json'), JSON.stringify((await source.call('GET', '/v1/flags')).body, null, 2));
    writeFileSync(join(flagsDir, 'broken.json'), JSON.stringify({ flags: { nope: { state: 'ENABLED', variants: {}, defaultVariant: 'x' } } }));
  });
  afterAll(async () => {
    await source.close();
    rmSync(flagsDir, { recursive: true, force: true });
  });

  it('recreates versions, statuses and rollout, so every user resolves as on the source', async () => {
    const replica = await createTestApp({ store: 'embedded', overrides: { FLAGS_DIR: flagsDir } });
    try {
      const rollout = (await replica.call('GET', '/v1/prompts/imported/rollout')).body;
      expect(rollout).toMatchObject({ baseline: 1, allocation: [{ version: 2, weight: 30 }, { version: 1, weight: 70 }], rules: [{ match: { tenant: ['acme'] }, version: 3 }] });
      for (let v = 1; v <= 3; v++) {
        const [ours, theirs] = await Promise.all([replica.call('GET', `/v1/prompts/imported/versions/${v}`), source.call('GET', `/v1/prompts/imported/versions/${v}`)]);
        expect(ours.body).toMatchObject({ contentHash: theirs.body.contentHash, variables: theirs.body.variables, status: theirs.body.status, author: 'gitops' });
      }
      for (let i = 0; i < 50; i++) {
        const body = { targetingKey: `user-${i}`, context: i % 5 === 0 ? { tenant: 'acme' } : {} };
        const [ours, theirs] = await Promise.all([replica.call('POST', '/v1/prompts/imported/resolve', { body }), source.call('POST', '/v1/prompts/imported/resolve', { body })]);
        expect(ours.body.variant).toBe(theirs.body.variant);
      }
      expect((await replica.call('GET', '/v1/audit?slug=imported&limit=500')).body.items[0]).toMatchObject({ actor: 'gitops', reason: 'imported from flags/prompts.json (promotion gates waived: imported from a flag file, reviewed in its repository)' });
    } finally {
      await replica.close();
    }
  });

  it('changes nothing when the same files are imported again, and refuses an invalid file with a reason', async () => {
    const replica = await createTestApp({ store: 'embedded', overrides: { FLAGS_DIR: flagsDir } });
    try {
      const before = (await replica.call('GET', '/v1/audit?limit=500')).body.items.length;
      const outcomes = await replica.app.get(FlagFileImportService).importDirectory(flagsDir);
      expect(outcomes).toEqual([
        { file: 'broken.json', imported: [], refused: [{ flag: '(whole file)', reason: expect.stringContaining('variants') }] },
        { file: 'prompts.json', imported: ['imported'], refused: [] },
      ]);
      expect((await replica.call('GET', '/v1/audit?limit=500')).body.items.length).toBe(before);
    } finally {
      await replica.close();
    }
  });

  it('refuses a flag whose version differs from the registry, without touching it', async () => {
    const replica = await createTestApp({ store: 'embedded', overrides: { FLAGS_DIR: flagsDir } });
    try {
      const document = (await source.call('GET', '/v1/flags')).body;
      document.flags.imported.variants.v2.template = 'edited in place {{company}} {{ticket}}';
      const dir = mkdtempSync(join(tmpdir(), 'promptflag-flags-'));
      writeFileSync(join(dir, 'edited.json'), JSON.stringify(document));
      const [outcome] = await replica.app.get(FlagFileImportService).importDirectory(dir);
      expect(outcome.refused[0]).toMatchObject({ flag: 'imported', reason: expect.stringContaining('contentHash') });
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await replica.close();
    }
  });
});
