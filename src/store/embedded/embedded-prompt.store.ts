import type { AuditDraft, AuditEntry } from '../../audit/domain/audit-entry';
import type { PromptStatus, PromptSummary, PromptVersion } from '../../registry/domain/prompt-version';
import type { RolloutSpec, StoredRollout } from '../../rollout/domain/rollout';
import {
  type CreateVersionResult,
  type KillState,
  type NewPromptVersion,
  type Page,
  PromptStore,
  type PromptState,
  type StatusChange,
} from '../ports/prompt-store.port';
import { applyStatusChanges, assertRevision, EMPTY_PROMPT_STATE } from '../prompt-state';
import { draftVersion, type VersionBody } from '../version-draft';
import type { EmbeddedChains } from './embedded-chains';
import type { EmbeddedDatabase } from './embedded-database';
import { guardSqlite } from './sqlite-errors';
import { prodVersionOf } from '../../registry/domain/status-transitions';

interface VersionRow {
  body: string;
  status: PromptStatus;
}

/** PromptStore over SQLite. Each write is one IMMEDIATE transaction, so it reads and commits under the write lock. */
export class EmbeddedPromptStore extends PromptStore {
  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly chains: EmbeddedChains,
  ) {
    super();
  }

  createVersion(input: NewPromptVersion, audit: (created: PromptVersion) => AuditDraft, idempotencyKey?: string): Promise<CreateVersionResult> {
    const slug = input.slug;
    return guardSqlite(() =>
      this.db.write(() => {
        if (idempotencyKey !== undefined) {
          const first = this.db.statement('SELECT version FROM idempotency_keys WHERE slug = ? AND key = ?').get(slug, idempotencyKey) as
            | { version: number }
            | undefined;
          if (first) return { version: this.mustGetVersion(slug, first.version), created: false };
        }
        const { version, body, entry } = draftVersion(input, this.state(slug).latestVersion, this.chains.head(slug), audit);
        this.db
          .statement(
            `INSERT INTO prompts (slug, latest_version) VALUES (@slug, @version)
             ON CONFLICT (slug) DO UPDATE SET latest_version = @version`,
          )
          .run({ slug, version: version.version });
        this.db.statement('INSERT INTO versions (slug, version, body, status) VALUES (?, ?, ?, ?)').run(slug, version.version, JSON.stringify(body), version.status);
        this.chains.insert(entry);
        if (idempotencyKey !== undefined) {
          this.db.statement('INSERT INTO idempotency_keys (slug, key, version) VALUES (?, ?, ?)').run(slug, idempotencyKey, version.version);
        }
        return { version, created: true };
      }),
    );
  }

  getVersion(slug: string, version: number): Promise<PromptVersion | null> {
    return guardSqlite(() => this.findVersion(slug, version));
  }

  listVersions(slug: string, page: Page): Promise<{ items: PromptVersion[]; total: number }> {
    return guardSqlite(() =>
      this.db.read(() => {
        const rows = this.db
          .statement('SELECT body, status FROM versions WHERE slug = ? ORDER BY version DESC LIMIT ? OFFSET ?')
          .all(slug, Math.max(0, page.limit), Math.max(0, page.offset)) as VersionRow[];
        return { items: rows.map(toVersion), total: this.state(slug).latestVersion };
      }),
    );
  }

  listPrompts(): Promise<PromptSummary[]> {
    return guardSqlite(() => {
      const rows = this.db
        .statement(
          `SELECT p.slug AS slug, p.latest_version AS latestVersion, max(v.version) AS prodVersion
           FROM prompts p LEFT JOIN versions v ON v.slug = p.slug AND v.status = 'prod'
           WHERE p.latest_version > 0 GROUP BY p.slug ORDER BY p.slug`,
        )
        .all() as PromptSummary[];
      return rows;
    });
  }

  getState(slug: string): Promise<PromptState> {
    return guardSqlite(() => this.db.read(() => this.state(slug)));
  }

  changeStatuses(slug: string, expectedRevision: number, changes: StatusChange[], audit: AuditDraft[]): Promise<PromptState> {
    return guardSqlite(() =>
      this.db.write(() => {
        const state = this.state(slug);
        assertRevision(slug, state, expectedRevision);
        const statuses = applyStatusChanges(slug, state.statuses, changes);
        for (const change of changes) {
          this.db.statement('UPDATE versions SET status = ? WHERE slug = ? AND version = ?').run(statuses[change.version], slug, change.version);
        }
        this.chains.append(slug, audit);
        return { ...state, statuses, revision: this.bumpRevision(slug) };
      }),
    );
  }

  putRollout(
    slug: string,
    expectedRevision: number,
    rollout: RolloutSpec & { updatedAt: string; updatedBy: string },
    audit: AuditDraft,
  ): Promise<PromptState> {
    const stored: StoredRollout = { ...rollout, slug };
    return guardSqlite(() =>
      this.db.write(() => {
        const state = this.state(slug);
        assertRevision(slug, state, expectedRevision);
        this.db
          .statement('INSERT INTO rollouts (slug, body) VALUES (@slug, @body) ON CONFLICT (slug) DO UPDATE SET body = @body')
          .run({ slug, body: JSON.stringify(stored) });
        this.chains.append(slug, [audit]);
        return { ...state, rollout: stored, revision: this.bumpRevision(slug) };
      }),
    );
  }

  setKill(slug: string, expectedRevision: number, kill: Omit<KillState, 'auditId'>, audit: AuditDraft): Promise<PromptState> {
    return guardSqlite(() =>
      this.db.write(() => {
        const state = this.state(slug);
        assertRevision(slug, state, expectedRevision);
        const [entry] = this.chains.append(slug, [audit]);
        const stored: KillState = { ...kill, auditId: entry.id };
        this.db
          .statement('INSERT INTO kills (slug, body) VALUES (@slug, @body) ON CONFLICT (slug) DO UPDATE SET body = @body')
          .run({ slug, body: JSON.stringify(stored) });
        return { ...state, kill: stored, revision: this.bumpRevision(slug) };
      }),
    );
  }

  clearKill(slug: string, expectedRevision: number, audit: AuditDraft): Promise<PromptState> {
    return guardSqlite(() =>
      this.db.write(() => {
        const state = this.state(slug);
        assertRevision(slug, state, expectedRevision);
        this.db.statement('DELETE FROM kills WHERE slug = ?').run(slug);
        this.chains.append(slug, [audit]);
        return { ...state, kill: null, revision: this.bumpRevision(slug) };
      }),
    );
  }

  appendAudit(slug: string, audit: AuditDraft): Promise<AuditEntry> {
    return guardSqlite(() => this.db.write(() => this.chains.append(slug, [audit])[0]));
  }

  private state(slug: string): PromptState {
    const prompt = this.db.statement('SELECT latest_version AS latestVersion, revision FROM prompts WHERE slug = ?').get(slug) as
      | { latestVersion: number; revision: number }
      | undefined;
    const rollout = this.db.statement('SELECT body FROM rollouts WHERE slug = ?').get(slug) as { body: string } | undefined;
    const kill = this.db.statement('SELECT body FROM kills WHERE slug = ?').get(slug) as { body: string } | undefined;
    const statuses: Record<number, PromptStatus> = {};
    const rows = this.db.statement('SELECT version, status FROM versions WHERE slug = ?').all(slug) as { version: number; status: PromptStatus }[];
    for (const row of rows) statuses[row.version] = row.status;
    return {
      ...EMPTY_PROMPT_STATE,
      ...prompt,
      statuses,
      rollout: rollout ? (JSON.parse(rollout.body) as StoredRollout) : null,
      kill: kill ? (JSON.parse(kill.body) as KillState) : null,
    };
  }

  private bumpRevision(slug: string): number {
    const row = this.db
      .statement(
        `INSERT INTO prompts (slug, revision) VALUES (?, 1)
         ON CONFLICT (slug) DO UPDATE SET revision = revision + 1 RETURNING revision`,
      )
      .get(slug) as { revision: number };
    return row.revision;
  }

  private findVersion(slug: string, version: number): PromptVersion | null {
    const row = this.db.statement('SELECT body, status FROM versions WHERE slug = ? AND version = ?').get(slug, version) as VersionRow | undefined;
    return row ? toVersion(row) : null;
  }

  private mustGetVersion(slug: string, version: number): PromptVersion {
    const found = this.findVersion(slug, version);
    if (!found) throw new Error(`idempotency key of "${slug}" points at missing version ${version}`);
    return found;
  }
}

function toVersion(row: VersionRow): PromptVersion {
  return { ...(JSON.parse(row.body) as VersionBody), status: row.status };
}
