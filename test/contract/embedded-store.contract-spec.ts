import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain } from '../../src/audit/domain/audit-chain';
import { StoreUnavailableError } from '../../src/common/domain/domain-error';
import { createEmbeddedStores } from '../../src/store/embedded/create-embedded-stores';
import { EmbeddedDatabase } from '../../src/store/embedded/embedded-database';
import { MIGRATIONS } from '../../src/store/embedded/embedded-schema';
import { createdAudit, describeStoreContract, newVersion } from './store.contract';

describeStoreContract('Embedded (in-memory)', async () => {
  const db = EmbeddedDatabase.inMemory();
  const stores = createEmbeddedStores(db);
  return {
    stores,
    tamperAuditEntry: async (chain, seq, patch) => {
      // The append-only triggers stop edits through SQL; someone with the file can still drop them.
      db.sqlite.exec('DROP TRIGGER audit_entries_no_update');
      const row = db.sqlite.prepare('SELECT entry FROM audit_entries WHERE chain = ? AND seq = ?').get(chain, seq) as { entry: string };
      db.sqlite.prepare('UPDATE audit_entries SET entry = ? WHERE chain = ? AND seq = ?').run(JSON.stringify({ ...JSON.parse(row.entry), ...patch }), chain, seq);
    },
    dispose: async () => {
      stores.changeFeed.close();
      db.close();
    },
  };
});

describe('Embedded store on a file', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'promptflag-embedded-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps versions, states, keys and the audit trail across close and reopen', async () => {
    const path = join(dir, 'promptflag.db');
    const first = EmbeddedDatabase.open(path);
    const before = createEmbeddedStores(first);
    const { version } = await before.promptStore.createVersion(newVersion('durable'), createdAudit, 'idem');
    await before.promptStore.changeStatuses('durable', 0, [{ version: 1, from: 'draft', to: 'prod' }], [{ at: new Date().toISOString(), actor: 't', action: 'promote' }]);
    await before.auditLog.appendSystem({ at: new Date().toISOString(), actor: 't', action: 'note' });
    first.close();

    const reopened = EmbeddedDatabase.open(path);
    const after = createEmbeddedStores(reopened);
    try {
      await expect(after.promptStore.getVersion('durable', 1)).resolves.toEqual({ ...version, status: 'prod' });
      await expect(after.promptStore.getState('durable')).resolves.toMatchObject({ revision: 1, latestVersion: 1 });
      await expect(after.promptStore.createVersion(newVersion('durable'), createdAudit, 'idem')).resolves.toMatchObject({ created: false });
      expect(verifyAuditChain(await after.auditLog.readChain('durable'))).toEqual({ ok: true, length: 2 });
      expect(await after.auditLog.readChain('_system')).toHaveLength(1);
      expect(reopened.schemaVersion).toBe(MIGRATIONS.length);
    } finally {
      reopened.close();
    }
  });

  it('runs in WAL mode with synchronous=FULL', () => {
    const db = EmbeddedDatabase.open(join(dir, 'pragmas.db'));
    try {
      expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });

  it('refuses edits to version bodies and to the audit trail through SQL', async () => {
    const db = EmbeddedDatabase.open(join(dir, 'guarded.db'));
    try {
      await createEmbeddedStores(db).promptStore.createVersion(newVersion('locked'), createdAudit);
      expect(() => db.sqlite.prepare("UPDATE versions SET body = '{}'").run()).toThrow(/immutable/);
      expect(() => db.sqlite.prepare('DELETE FROM versions').run()).toThrow(/never deleted/);
      expect(() => db.sqlite.prepare("UPDATE audit_entries SET entry = '{}'").run()).toThrow(/append-only/);
      expect(() => db.sqlite.prepare('DELETE FROM audit_entries').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('refuses to open a database written by a newer schema', () => {
    const path = join(dir, 'future.db');
    const db = EmbeddedDatabase.open(path);
    db.sqlite.prepare('UPDATE schema_version SET version = ?').run(MIGRATIONS.length + 1);
    db.close();
    expect(() => EmbeddedDatabase.open(path)).toThrow(/schema version/);
  });

  it('reports a closed database as unavailable', async () => {
    const db = EmbeddedDatabase.open(join(dir, 'closed.db'));
    const stores = createEmbeddedStores(db);
    db.close();
    await expect(stores.health.ping()).rejects.toThrow(StoreUnavailableError);
    await expect(stores.promptStore.getState('x')).rejects.toThrow(StoreUnavailableError);
  });
});
