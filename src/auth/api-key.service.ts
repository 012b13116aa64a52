import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { NotFoundError } from '../common/domain/domain-error';
import { ApiKeyStore, type ApiKeyRecord, BOOTSTRAP_KEY_ID } from '../store/ports/api-key-store.port';
import { ChangeFeed } from '../store/ports/change-feed.port';
import { generateApiKey, hasValidChecksum, hashApiKey, keyHint } from './domain/api-key-format';
import type { Principal } from './domain/principal';
import type { Role } from './domain/roles';

export type PublicApiKey = Omit<ApiKeyRecord, 'keyHash'>;

/** Bound on {@link ApiKeyService}'s raw-key memo; past it the memo starts over (a service has a handful of keys). */
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * Mints, revokes and checks API keys. Valid keys are cached in memory so authentication does not wait on the
 * store; a revocation on any replica evicts the key on every replica through the change feed.
 */
@Injectable()
export class ApiKeyService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyService.name);
  /**
   * Valid keys as presented (a valid key has one spelling): a repeat request skips the checksum, the sha256 and the
   * store. Bounded; revocations evict by key id.
   */
  private readonly byRawKey = new Map<string, Principal>();
  private unsubscribe?: () => void;

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly feed: ChangeFeed,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.feed.subscribe((event) => {
      if (event.kind === 'keys') this.evict(event.keyId);
    });
    await this.bootstrapAdminKey();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The key's principal, or null for an unknown, malformed or revoked key. */
  async authenticate(rawKey: string): Promise<Principal | null> {
    const remembered = this.byRawKey.get(rawKey);
    if (remembered) return remembered;
    if (!hasValidChecksum(rawKey)) return null;
    const record = await this.keys.findByHash(hashApiKey(rawKey));
    if (!record || record.revokedAt) return null;
    const principal: Principal = { keyId: record.id, name: record.name, role: record.role };
    this.remember(rawKey, principal);
    return principal;
  }

  /** Whether a key is known valid without asking the store (used while a client is throttled). */
  isCachedValid(rawKey: string): boolean {
    return this.byRawKey.has(rawKey);
  }

  async mint(name: string, role: Role, actor: Principal, reason?: string): Promise<PublicApiKey & { key: string }> {
    const key = generateApiKey();
    const record: ApiKeyRecord = {
      id: randomUUID(),
      name,
      role,
      keyHash: hashApiKey(key),
      hint: keyHint(key),
      createdAt: new Date().toISOString(),
      createdBy: actor.name,
      revokedAt: null,
    };
    await this.keys.create(record, {
      at: record.createdAt,
      actor: actor.name,
      action: 'key.minted',
      after: { id: record.id, name, role },
      reason,
    });
    return { ...withoutHash(record), key };
  }

  async list(): Promise<PublicApiKey[]> {
    return (await this.keys.list()).map(withoutHash);
  }

  async revoke(id: string, actor: Principal, reason?: string): Promise<PublicApiKey> {
    const at = new Date().toISOString();
    const record = await this.keys.revoke(id, at, { at, actor: actor.name, action: 'key.revoked', before: { id }, after: { id, revokedAt: at }, reason });
    if (!record) throw new NotFoundError(`No API key with id "${id}"`, { id });
    this.evict(id);
    await this.feed.publish({ kind: 'keys', keyId: id });
    return withoutHash(record);
  }

  private remember(rawKey: string, principal: Principal): void {
    if (this.byRawKey.size >= MAX_REMEMBERED_KEYS) this.byRawKey.clear();
    this.byRawKey.set(rawKey, principal);
  }

  private evict(keyId: string): void {
    for (const [rawKey, principal] of this.byRawKey) if (principal.keyId === keyId) this.byRawKey.delete(rawKey);
  }

  /**
   * PROMPTFLAG_ADMIN_KEY, when set, is the bootstrap admin key. When unset, the first start generates one and prints
   * it once; only its hash is stored.
   */
  private async bootstrapAdminKey(): Promise<void> {
    const configured = this.config.PROMPTFLAG_ADMIN_KEY;
    const key = configured ?? generateApiKey();
    const at = new Date().toISOString();
    const record: ApiKeyRecord = {
      id: BOOTSTRAP_KEY_ID,
      name: 'admin',
      role: 'admin',
      keyHash: hashApiKey(key),
      hint: keyHint(key),
      createdAt: at,
      createdBy: 'system',
      revokedAt: null,
    };
    if (configured) {
      const existing = await this.keys.findByHash(record.keyHash);
      if (existing?.id === BOOTSTRAP_KEY_ID && !existing.revokedAt) return;
    }
    const audit = { at, actor: 'system', action: 'key.bootstrapped', after: { id: BOOTSTRAP_KEY_ID, role: 'admin', source: configured ? 'PROMPTFLAG_ADMIN_KEY' : 'generated' } };
    const written = await this.keys.ensureBootstrap(record, audit, configured !== undefined);
    if (written) this.evict(BOOTSTRAP_KEY_ID);
    if (written && !configured) {
      // Printed once, straight to stdout and never through the logger, so it does not end up in log storage.
      process.stdout.write(
        `\n  promptflag: generated the bootstrap admin key (shown once, store it now):\n\n    ${key}\n\n  Set PROMPTFLAG_ADMIN_KEY to choose your own.\n\n`,
      );
    } else if (written) {
      this.logger.log('Bootstrap admin key set from PROMPTFLAG_ADMIN_KEY');
    }
  }
}

function withoutHash({ keyHash: _omit, ...rest }: ApiKeyRecord): PublicApiKey {
  return rest;
}
