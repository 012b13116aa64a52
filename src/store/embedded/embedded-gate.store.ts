import type { StoredGatePolicy } from '../../gates/domain/gate-policy';
import type { Approval, EvalResult } from '../../gates/domain/promotion-gates';
import { GateStore, type VersionEvidence } from '../ports/gate-store.port';
import type { EmbeddedDatabase } from './embedded-database';
import { guardSqlite } from './sqlite-errors';

/** Additive tables, created here like the ramp tables: nothing else refers to them. */
const GATE_TABLES = `
CREATE TABLE IF NOT EXISTS gate_evals (id INTEGER PRIMARY KEY AUTOINCREMENT, slug TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS gate_evals_by_version ON gate_evals (slug, version, id);
CREATE TABLE IF NOT EXISTS gate_approvals (slug TEXT NOT NULL, version INTEGER NOT NULL, approver TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (slug, version, approver)) STRICT;
CREATE TABLE IF NOT EXISTS gate_policies (slug TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;
`;

/** GateStore over the embedded SQLite database. */
export class EmbeddedGateStore extends GateStore {
  constructor(private readonly db: EmbeddedDatabase) {
    super();
    db.sqlite.exec(GATE_TABLES);
  }

  async addEval(slug: string, version: number, result: EvalResult): Promise<void> {
    await guardSqlite(() => this.db.write(() => this.db.statement('INSERT INTO gate_evals (slug, version, body) VALUES (?, ?, ?)').run(slug, version, JSON.stringify(result))));
  }

  async addApproval(slug: string, version: number, approval: Approval): Promise<boolean> {
    return guardSqlite(() =>
      this.db.write(() => {
        const insert = this.db.statement('INSERT OR IGNORE INTO gate_approvals (slug, version, approver, body) VALUES (?, ?, ?, ?)');
        return insert.run(slug, version, approval.approver, JSON.stringify(approval)).changes === 1;
      }),
    );
  }

  async evidence(slug: string, version: number): Promise<VersionEvidence> {
    return guardSqlite(() => {
      const evals = this.db.statement('SELECT body FROM gate_evals WHERE slug = ? AND version = ? ORDER BY id').all(slug, version) as { body: string }[];
      const approvals = this.db.statement('SELECT body FROM gate_approvals WHERE slug = ? AND version = ?').all(slug, version) as { body: string }[];
      return {
        evals: evals.map((row) => JSON.parse(row.body) as EvalResult),
        approvals: approvals.map((row) => JSON.parse(row.body) as Approval).sort((a, b) => a.at.localeCompare(b.at)),
      };
    });
  }

  async getPolicy(slug: string): Promise<StoredGatePolicy | null> {
    const row = await guardSqlite(() => this.db.statement('SELECT body FROM gate_policies WHERE slug = ?').get(slug) as { body: string } | undefined);
    return row ? (JSON.parse(row.body) as StoredGatePolicy) : null;
  }

  async putPolicy(slug: string, policy: StoredGatePolicy): Promise<void> {
    await guardSqlite(() =>
      this.db.write(() =>
        this.db.statement('INSERT INTO gate_policies (slug, body) VALUES (?, ?) ON CONFLICT (slug) DO UPDATE SET body = excluded.body').run(slug, JSON.stringify(policy)),
      ),
    );
  }
}
