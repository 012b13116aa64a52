import type { AuditDraft } from '../../audit/domain/audit-entry';
import type { Role } from '../../auth/domain/roles';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  /** sha256 of the key; the key itself is never stored. */
  keyHash: string;
  /** First characters of the key, to recognise it in a list. */
  hint: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

export abstract class ApiKeyStore {
  /** Stores the key and appends its audit entry to the `_system` chain atomically. */
  abstract create(record: ApiKeyRecord, audit: AuditDraft): Promise<void>;

  /**
   * Stores the bootstrap admin key unless a bootstrap key is stored already.
   * Replaces it when `replace` is set (the operator configured a different PROMPTFLAG_ADMIN_KEY).
   * @returns whether anything was written.
   */
  abstract ensureBootstrap(record: ApiKeyRecord, audit: AuditDraft, replace: boolean): Promise<boolean>;

  abstract findByHash(keyHash: string): Promise<ApiKeyRecord | null>;

  abstract list(): Promise<ApiKeyRecord[]>;

  /** Marks the key revoked (idempotent: a second call changes nothing and returns the record). Null if unknown. */
  abstract revoke(id: string, at: string, audit: AuditDraft): Promise<ApiKeyRecord | null>;
}

export const BOOTSTRAP_KEY_ID = 'bootstrap-admin';
