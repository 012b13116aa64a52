import { AlertStore, type AlertRuleOverrides } from '../ports/alert-store.port';
import type { EmbeddedDatabase } from './embedded-database';
import { guardSqlite } from './sqlite-errors';

/** Additive tables, created here like the experiment tables: nothing else refers to them. */
const ALERT_TABLES = `
CREATE TABLE IF NOT EXISTS alert_rules (slug TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS alert_deliveries (
  slug TEXT NOT NULL, key TEXT NOT NULL, expires_at INTEGER NOT NULL,
  PRIMARY KEY (slug, key)
) STRICT, WITHOUT ROWID;
`;

/** AlertStore over the embedded SQLite database; a claim is a row, taken with INSERT OR IGNORE. */
export class EmbeddedAlertStore extends AlertStore {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
    db.sqlite.exec(ALERT_TABLES);
  }

  async getRules(slug: string): Promise<AlertRuleOverrides | null> {
    const row = await guardSqlite(() => this.db.statement('SELECT body FROM alert_rules WHERE slug = ?').get(slug) as { body: string } | undefined);
    return row ? (JSON.parse(row.body) as AlertRuleOverrides) : null;
  }

  async putRules(slug: string, rules: AlertRuleOverrides): Promise<void> {
    await guardSqlite(() =>
      this.db.write(() => this.db.statement('INSERT INTO alert_rules (slug, body) VALUES (?, ?) ON CONFLICT (slug) DO UPDATE SET body = excluded.body').run(slug, JSON.stringify(rules))),
    );
  }

  async claimDelivery(slug: string, key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    return guardSqlite(() =>
      this.db.write(() => {
        this.db.statement('DELETE FROM alert_deliveries WHERE slug = ? AND key = ? AND expires_at <= ?').run(slug, key, now);
        const result = this.db.statement('INSERT OR IGNORE INTO alert_deliveries (slug, key, expires_at) VALUES (?, ?, ?)').run(slug, key, now + Math.ceil(ttlSeconds * 1000));
        return result.changes === 1;
      }),
    );
  }

  async releaseDelivery(slug: string, key: string): Promise<void> {
    await guardSqlite(() => this.db.write(() => this.db.statement('DELETE FROM alert_deliveries WHERE slug = ? AND key = ?').run(slug, key)));
  }
}
