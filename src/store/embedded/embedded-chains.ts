import { headOf, type ChainHead } from '../../audit/domain/audit-chain';
import type { AuditDraft, AuditEntry } from '../../audit/domain/audit-entry';
import { auditTimeMs } from '../record-order';
import { sealEntries } from '../version-draft';
import type { EmbeddedDatabase } from './embedded-database';

/** Audit chains in the `audit_entries` table. Appends must run inside the caller's write transaction. */
export class EmbeddedChains {
  constructor(private readonly db: EmbeddedDatabase) {}

  head(chain: string): ChainHead {
    const row = this.db.statement('SELECT entry FROM audit_entries WHERE chain = ? ORDER BY seq DESC LIMIT 1').get(chain) as EntryRow | undefined;
    return headOf(row ? parseEntry(row) : undefined);
  }

  /** Seals the drafts after the chain's current head and stores them. */
  append(chain: string, drafts: readonly AuditDraft[]): AuditEntry[] {
    const entries = sealEntries(chain, drafts, this.head(chain));
    for (const entry of entries) this.insert(entry);
    return entries;
  }

  insert(entry: AuditEntry): void {
    this.db.statement('INSERT INTO audit_entries (chain, seq, at, entry) VALUES (?, ?, ?, ?)').run(entry.chain, entry.seq, entry.at, JSON.stringify(entry));
  }

  /** Oldest first. */
  read(chain: string): AuditEntry[] {
    return (this.db.statement('SELECT entry FROM audit_entries WHERE chain = ? ORDER BY seq').all(chain) as EntryRow[]).map(parseEntry);
  }

  /** Newest first, strictly before `beforeAt`; one chain when `chain` is given, otherwise all of them. */
  recent(query: { chain?: string; limit: number; beforeAt?: string }): AuditEntry[] {
    if (query.beforeAt !== undefined) auditTimeMs(query.beforeAt);
    const rows = this.db
      .statement(
        `SELECT entry FROM audit_entries
         WHERE (@chain IS NULL OR chain = @chain) AND (@before IS NULL OR at < @before)
         ORDER BY at DESC, seq DESC, chain DESC LIMIT @limit`,
      )
      .all({ chain: query.chain ?? null, before: query.beforeAt ?? null, limit: query.limit }) as EntryRow[];
    return rows.map(parseEntry);
  }
}

interface EntryRow {
  entry: string;
}

function parseEntry(row: EntryRow): AuditEntry {
  return JSON.parse(row.entry) as AuditEntry;
}
