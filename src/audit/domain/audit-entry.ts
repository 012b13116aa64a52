/** What a caller says about a state change; the store seals it into the chain. */
export interface AuditDraft {
  at: string;
  actor: string;
  action: string;
  slug?: string;
  version?: number;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

/**
 * An append-only audit entry. Entries form one hash chain per `chain` (a slug, or `_system` for
 * actions that belong to no slug): `hash = sha256(canonical(entry without hash) )` and each entry carries the
 * hash of the one before it, so editing, deleting or reordering an entry is detectable.
 */
export interface AuditEntry extends AuditDraft {
  id: string;
  chain: string;
  seq: number;
  prevHash: string;
  hash: string;
}

export const SYSTEM_CHAIN = '_system';
export const GENESIS_HASH = '0'.repeat(64);
