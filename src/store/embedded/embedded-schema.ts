/**
 * Schema migrations, applied in order in one transaction when the database opens; `schema_version` holds how many
 * have been applied.
 * Append only: never edit a shipped migration.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE prompts (
    slug TEXT PRIMARY KEY,
    latest_version INTEGER NOT NULL DEFAULT 0,
    revision INTEGER NOT NULL DEFAULT 0
  ) STRICT;

  CREATE TABLE versions (
    slug TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (slug, version)
  ) STRICT;
  CREATE TRIGGER versions_body_immutable BEFORE UPDATE OF slug, version, body ON versions
  BEGIN SELECT RAISE(ABORT, 'prompt version bodies are immutable'); END;
  CREATE TRIGGER versions_never_deleted BEFORE DELETE ON versions
  BEGIN SELECT RAISE(ABORT, 'prompt versions are never deleted'); END;

  CREATE TABLE idempotency_keys (
    slug TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (slug, key)
  ) STRICT;

  CREATE TABLE rollouts (
    slug TEXT PRIMARY KEY,
    body TEXT NOT NULL
  ) STRICT;

  CREATE TABLE audit_entries (
    chain TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (chain, seq)
  ) STRICT;
  CREATE INDEX audit_entries_by_time ON audit_entries (at DESC, seq DESC);
  CREATE INDEX audit_entries_by_chain_time ON audit_entries (chain, at DESC, seq DESC);
  CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
  ) STRICT;
  `,
  // 2: the kill switch (issue 5). One row per killed slug; no row means not killed, so existing databases need no backfill.
  `
  CREATE TABLE kills (
    slug TEXT PRIMARY KEY,
    body TEXT NOT NULL
  ) STRICT;
  `,
];
