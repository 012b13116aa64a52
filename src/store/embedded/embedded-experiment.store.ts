import { addField, emptyAggregate, EXPOSURES_FIELD } from '../../experiments/domain/experiment-records';
import { groupExposuresByCell } from '../../experiments/domain/exposure-cells';
import { planOutcomeBatch, sumAccepted } from '../../experiments/domain/outcome-batch';
import {
  ExperimentStore,
  MAX_READ_HOURS,
  type ExposureRecord,
  OUTCOME_ID_TTL_SECONDS,
  type OutcomeRecord,
  type OutcomeWriteStatus,
  type VersionAggregate,
} from '../ports/experiment-store.port';
import type { EmbeddedDatabase } from './embedded-database';
import { guardSqlite } from './sqlite-errors';

/** Rows per multi-row INSERT into exp_users (a power of two; the tail goes in halving chunks: 32, 16, … 1). */
const USERS_CHUNK = 64;

const insertUsersSqlCache = new Map<number, string>();

function insertUsersSql(rows: number): string {
  let sql = insertUsersSqlCache.get(rows);
  if (sql === undefined) {
    sql = `INSERT OR IGNORE INTO exp_users (slug, version, hour, member) VALUES ${new Array<string>(rows).fill('(?, ?, ?, ?)').join(', ')}`;
    insertUsersSqlCache.set(rows, sql);
  }
  return sql;
}

/**
 * The experiment tables, created here rather than in the migration list: they are additive, hold no data any other
 * table refers to, and can be created at any time without a schema version bump.
 */
const EXPERIMENT_TABLES = `
CREATE TABLE IF NOT EXISTS exp_counters (
  slug TEXT NOT NULL, version INTEGER NOT NULL, hour INTEGER NOT NULL, field TEXT NOT NULL, value REAL NOT NULL,
  PRIMARY KEY (slug, version, hour, field)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS exp_users (
  slug TEXT NOT NULL, version INTEGER NOT NULL, hour INTEGER NOT NULL, member TEXT NOT NULL,
  PRIMARY KEY (slug, version, hour, member)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS exp_outputs (
  slug TEXT NOT NULL, version INTEGER NOT NULL, hour INTEGER NOT NULL, member TEXT NOT NULL,
  PRIMARY KEY (slug, version, hour, member)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS exp_event_ids (
  slug TEXT NOT NULL, id TEXT NOT NULL, seen_at INTEGER NOT NULL,
  PRIMARY KEY (slug, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS exp_event_ids_seen_at ON exp_event_ids (seen_at);
`;

const ADD = `INSERT INTO exp_counters (slug, version, hour, field, value) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (slug, version, hour, field) DO UPDATE SET value = value + excluded.value`;
/** Prune expired ids about once per this many accepted batches. */
const PRUNE_EVERY = 100;

/**
 * ExperimentStore over the embedded SQLite database. Counters are rows per (slug, version, hour, field), summed on
 * read. Unique users and output diversity are exact distinct sets (one process, modest volume), where Redis uses
 * HyperLogLog; reading distinct counts therefore grows with the number of distinct members, not with events.
 */
export class EmbeddedExperimentStore extends ExperimentStore {
  private batches = 0;

  constructor(
    private readonly db: EmbeddedDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
    db.sqlite.exec(EXPERIMENT_TABLES);
  }

  async recordExposures(batch: ExposureRecord[]): Promise<void> {
    if (batch.length === 0) return;
    await guardSqlite(() =>
      this.db.write(() => {
        const add = this.db.statement(ADD);
        // Multi-row INSERTs: one statement step per USERS_CHUNK exposures instead of one per exposure.
        let start = 0;
        for (let rows = USERS_CHUNK; rows >= 1; rows >>= 1) {
          if (batch.length - start < rows) continue;
          const insert = this.db.statement(insertUsersSql(rows));
          const params = new Array<string | number>(rows * 4);
          for (; batch.length - start >= rows; start += rows) {
            for (let i = 0; i < rows; i++) {
              const e = batch[start + i];
              params[i * 4] = e.slug;
              params[i * 4 + 1] = e.version;
              params[i * 4 + 2] = e.hour;
              params[i * 4 + 3] = e.targetingKeyHash;
            }
            insert.run(params);
          }
        }
        for (const cell of groupExposuresByCell(batch)) add.run(cell.slug, cell.version, cell.hour, EXPOSURES_FIELD, cell.count);
      }),
    );
  }

  /** One transaction for the whole batch: every id is claimed, then each touched counter is added to once. */
  async recordOutcomes(batch: OutcomeRecord[]): Promise<OutcomeWriteStatus[]> {
    if (batch.length === 0) return [];
    const now = this.now();
    const expiredBefore = now - OUTCOME_ID_TTL_SECONDS * 1000;
    return guardSqlite(() =>
      this.db.write(() => {
        if (++this.batches % PRUNE_EVERY === 1) this.db.statement('DELETE FROM exp_event_ids WHERE seen_at < ?').run(expiredBefore);
        const claim = this.db.statement(`INSERT INTO exp_event_ids (slug, id, seen_at) VALUES (?, ?, ?)
          ON CONFLICT (slug, id) DO UPDATE SET seen_at = excluded.seen_at WHERE seen_at < ?`);
        const add = this.db.statement(ADD);
        const output = this.db.statement('INSERT OR IGNORE INTO exp_outputs (slug, version, hour, member) VALUES (?, ?, ?, ?)');
        const statuses = new Array<OutcomeWriteStatus>(batch.length);
        for (const slugBatch of planOutcomeBatch(batch)) {
          const { slug, cells, slots, events } = slugBatch;
          const claimed = events.map((event) => claim.run(slug, event.id, now, expiredBefore).changes > 0);
          events.forEach((event, position) => (statuses[event.index] = claimed[position] ? 'accepted' : 'duplicate'));
          const totals = sumAccepted(slugBatch, (position) => claimed[position]);
          for (const [slot, value] of totals.counters) {
            const { version, hour } = cells[slots[slot].cell];
            add.run(slug, version, hour, slots[slot].field, value);
          }
          for (const [cell, hashes] of totals.outputs) for (const hash of hashes) output.run(slug, cells[cell].version, cells[cell].hour, hash);
        }
        return statuses;
      }),
    );
  }

  async readAggregates(slug: string, fromHour: number, toHour: number): Promise<VersionAggregate[]> {
    if (toHour < fromHour) return [];
    if (toHour - fromHour + 1 > MAX_READ_HOURS) throw new RangeError(`at most ${MAX_READ_HOURS} hours can be read at once`);
    return guardSqlite(() =>
      this.db.read(() => {
        const byVersion = new Map<number, VersionAggregate>();
        const get = (version: number) => {
          let aggregate = byVersion.get(version);
          if (!aggregate) byVersion.set(version, (aggregate = emptyAggregate(version)));
          return aggregate;
        };
        const counters = this.db
          .statement('SELECT version, field, SUM(value) AS value FROM exp_counters WHERE slug = ? AND hour BETWEEN ? AND ? GROUP BY version, field')
          .all(slug, fromHour, toHour) as { version: number; field: string; value: number }[];
        for (const row of counters) addField(get(row.version), row.field, row.value);
        for (const [table, key] of [['exp_users', 'users'], ['exp_outputs', 'distinctOutputs']] as const) {
          const rows = this.db
            .statement(`SELECT version, COUNT(DISTINCT member) AS n FROM ${table} WHERE slug = ? AND hour BETWEEN ? AND ? GROUP BY version`)
            .all(slug, fromHour, toHour) as { version: number; n: number }[];
          for (const row of rows) get(row.version)[key] = row.n;
        }
        return [...byVersion.values()].sort((a, b) => a.version - b.version);
      }),
    );
  }
}
