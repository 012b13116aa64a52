import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEmbeddedStores } from './create-embedded-stores';
import { EmbeddedDatabase } from './embedded-database';
import { MIGRATIONS } from './embedded-schema';

describe('embedded schema migrations', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'promptflag-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('upgrades a database written before the kill switch, keeping its data, and then stores kills', async () => {
    const path = join(dir, 'old.db');
    // A database as the first release left it: only migration 1 applied.
    const old = new Database(path);
    old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT');
    old.exec(MIGRATIONS[0]);
    old.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    old.prepare("INSERT INTO prompts (slug, latest_version, revision) VALUES ('legacy', 1, 3)").run();
    old.prepare("INSERT INTO versions (slug, version, body, status) VALUES ('legacy', 1, ?, 'prod')").run(JSON.stringify({ slug: 'legacy', version: 1 }));
    old.close();

    const db = EmbeddedDatabase.open(path);
    try {
      expect(db.schemaVersion).toBe(MIGRATIONS.length);
      const stores = createEmbeddedStores(db);
      await expect(stores.promptStore.getState('legacy')).resolves.toEqual({ revision: 3, latestVersion: 1, statuses: { 1: 'prod' }, rollout: null, kill: null });
      const killed = await stores.promptStore.setKill(
        'legacy',
        3,
        { toVersion: 1, reason: 'incident', at: new Date().toISOString(), actor: 'oncall' },
        { at: new Date().toISOString(), actor: 'oncall', action: 'kill.set', slug: 'legacy' },
      );
      expect(killed).toMatchObject({ revision: 4, kill: { toVersion: 1, auditId: 'legacy:1' } });
    } finally {
      db.close();
    }
  });
});
