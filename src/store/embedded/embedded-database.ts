import Database from 'better-sqlite3';
import { MIGRATIONS } from './embedded-schema';

type Statement = Database.Statement<unknown[], unknown>;

/**
 * The embedded store's SQLite database (better-sqlite3). WAL with synchronous=FULL: a transaction is on disk before
 * the call that committed it returns, so an acknowledged write survives a hard kill of the process (and, with FULL,
 * a power cut). Migrates its schema when opened.
 */
export class EmbeddedDatabase {
  private readonly statements = new Map<string, Statement>();

  private constructor(readonly sqlite: Database.Database) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    this.migrate();
  }

  /** Opens (creating if needed) the database file; its folder must exist. */
  static open(path: string): EmbeddedDatabase {
    return new EmbeddedDatabase(new Database(path));
  }

  /** A private in-memory database, gone when closed: for tests and benches. */
  static inMemory(): EmbeddedDatabase {
    return new EmbeddedDatabase(new Database(':memory:'));
  }

  /** How many migrations have been applied. */
  get schemaVersion(): number {
    const row = this.sqlite.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    return row?.version ?? 0;
  }

  /** A prepared statement, cached by its SQL. */
  statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in one write transaction, taking the write lock up front (BEGIN IMMEDIATE). */
  write<T>(work: () => T): T {
    return this.sqlite.transaction(work).immediate();
  }

  /** Runs `work` in one read transaction, so several reads see one snapshot. */
  read<T>(work: () => T): T {
    return this.sqlite.transaction(work).deferred();
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  /** Applies pending migrations in one transaction, re-reading the version under the write lock. */
  private migrate(): void {
    this.sqlite.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT');
    this.write(() => {
      const applied = this.schemaVersion;
      if (applied > MIGRATIONS.length) {
        throw new Error(`The database has schema version ${applied}; this build knows up to ${MIGRATIONS.length}. Upgrade promptflag.`);
      }
      if (applied === MIGRATIONS.length) return;
      for (const migration of MIGRATIONS.slice(applied)) this.sqlite.exec(migration);
      this.sqlite.prepare('DELETE FROM schema_version').run();
      this.sqlite.prepare('INSERT INTO schema_version (version) VALUES (?)').run(MIGRATIONS.length);
    });
  }
}
