import { canonicalSha256 } from '../../common/domain/canonical-hash';
import { type AuditDraft, type AuditEntry, GENESIS_HASH } from './audit-entry';

export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** Hash of an entry's content, every field but `hash` itself. */
export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return canonicalSha256(entry);
}

/** Seals a draft as the next entry after `head` of `chain`. Pure: the store decides atomically that `head` is current. */
export function sealAuditEntry(chain: string, draft: AuditDraft, head: ChainHead): AuditEntry {
  const seq = head.seq + 1;
  const unsealed: Omit<AuditEntry, 'hash'> = {
    ...stripUndefined(draft),
    id: `${chain}:${seq}`,
    chain,
    seq,
    prevHash: head.hash,
  };
  return { ...unsealed, hash: hashAuditEntry(unsealed) };
}

export type ChainVerdict = { ok: true; length: number } | { ok: false; brokenAt: number; problem: string };

/** Re-checks a chain read oldest first: every hash, every link, no gaps. */
export function verifyAuditChain(entries: readonly AuditEntry[]): ChainVerdict {
  let head = EMPTY_HEAD;
  for (const entry of entries) {
    const { hash, ...unsealed } = entry;
    if (entry.seq !== head.seq + 1) return { ok: false, brokenAt: entry.seq, problem: `expected seq ${head.seq + 1}` };
    if (entry.prevHash !== head.hash) return { ok: false, brokenAt: entry.seq, problem: 'prevHash does not match' };
    if (hashAuditEntry(unsealed) !== hash) return { ok: false, brokenAt: entry.seq, problem: 'content does not match hash' };
    head = { seq: entry.seq, hash };
  }
  return { ok: true, length: entries.length };
}

export function headOf(entry: AuditEntry | undefined): ChainHead {
  return entry ? { seq: entry.seq, hash: entry.hash } : EMPTY_HEAD;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
