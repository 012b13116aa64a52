import type { AuditEntry } from '../audit/domain/audit-entry';
import { UnprocessableError } from '../common/domain/domain-error';
import type { ApiKeyRecord } from './ports/api-key-store.port';

/**
 * An audit timestamp as epoch milliseconds. Both adapters order and filter the trail by time, so a timestamp
 * that does not parse is refused before it is written.
 * @throws UnprocessableError when `at` is not a date-time.
 */
export function auditTimeMs(at: string): number {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new UnprocessableError(`"${at}" is not an ISO 8601 date-time`, { at });
  return ms;
}

/** Newest first: by time, then by position in the chain, then by chain name so merged pages are stable. */
export function compareAuditNewestFirst(a: AuditEntry, b: AuditEntry): number {
  return auditTimeMs(b.at) - auditTimeMs(a.at) || b.seq - a.seq || compareCodeUnits(b.chain, a.chain);
}

/** Oldest first, ties by id. */
export function compareApiKeys(a: ApiKeyRecord, b: ApiKeyRecord): number {
  return compareCodeUnits(a.createdAt, b.createdAt) || compareCodeUnits(a.id, b.id);
}

/** Locale-independent, like SQLite's default BINARY collation. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
