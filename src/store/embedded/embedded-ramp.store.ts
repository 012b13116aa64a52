import { RampStore, type RampRecord } from '../ports/ramp-store.port';
import type { EmbeddedDatabase } from './embedded-database';
import { guardSqlite } from './sqlite-errors';

/** Additive tables, created here like the alert tables: nothing else refers to them. */
const RAMP_TABLES = `
CREATE TABLE IF NOT EXISTS ramps (slug TEXT PRIMARY KEY, revision INTEGER NOT NULL, body TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS ramp_leases (slug TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT;
`;

/** RampStore over the embedded SQLite database; the CAS and the lease are rows updated in one write transaction. */
export class EmbeddedRampStore extends RampStore {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
    db.sqlite.exec(RAMP_TABLES);
  }

  async get(slug: string): Promise<RampRecord | null> {
    const row = await guardSqlite(() => this.db.statement('SELECT body FROM ramps WHERE slug = ?').get(slug) as { body: string } | undefined);
    return row ? (JSON.parse(row.body) as RampRecord) : null;
  }

  async put(slug: string, expectedRevision: number, record: RampRecord): Promise<boolean> {
    return guardSqlite(() =>
      this.db.write(() => {
        const row = this.db.statement('SELECT revision FROM ramps WHERE slug = ?').get(slug) as { revision: number } | undefined;
        if ((row?.revision ?? 0) !== expectedRevision) return false;
        this.db
          .statement('INSERT INTO ramps (slug, revision, body) VALUES (?, ?, ?) ON CONFLICT (slug) DO UPDATE SET revision = excluded.revision, body = excluded.body')
          .run(slug, record.revision, JSON.stringify(record));
        return true;
      }),
    );
  }

  async slugs(): Promise<string[]> {
    const rows = await guardSqlite(() => this.db.statement('SELECT slug FROM ramps ORDER BY slug').all() as { slug: string }[]);
    return rows.map((r) => r.slug);
  }

  async acquireLease(slug: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    return guardSqlite(() =>
      this.db.write(() => {
        this.db.statement('DELETE FROM ramp_leases WHERE slug = ? AND expires_at <= ?').run(slug, now);
        const result = this.db.statement('INSERT OR IGNORE INTO ramp_leases (slug, owner, expires_at) VALUES (?, ?, ?)').run(slug, owner, now + Math.ceil(ttlMs));
        return result.changes === 1;
      }),
    );
  }

  async releaseLease(slug: string, owner: string): Promise<void> {
    await guardSqlite(() => this.db.write(() => this.db.statement('DELETE FROM ramp_leases WHERE slug = ? AND owner = ?').run(slug, owner)));
  }
}
