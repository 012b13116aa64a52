import type { ApiKeyRecord } from './ports/api-key-store.port';

/**
 * Whether ensureBootstrap leaves the stored bootstrap key as it is: it exists and either no replacement was asked
 * for, or the replacement is the same live key (replacing a key with itself would only add an audit entry).
 */
export function keepsBootstrapKey(existing: ApiKeyRecord | null, wanted: ApiKeyRecord, replace: boolean): boolean {
  if (!existing) return false;
  return !replace || (existing.keyHash === wanted.keyHash && existing.role === wanted.role && existing.revokedAt === null);
}
