import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Metadata, status } from '@grpc/grpc-js';
import { CredentialChecker } from '../auth/credential-checker.service';
import { AppConfig } from '../config/app-config';

/** Why a sync call is refused, as a gRPC status. */
export interface SyncRefusal {
  code: status;
  details: string;
}

/**
 * Authenticates calls on the sync port from gRPC metadata: `authorization: Bearer <credential>` (or `x-api-key`),
 * where the credential is an API key (reader role, which every role includes) or SYNC_TOKEN.
 *
 * - SYNC_REQUIRE_AUTH=true (default): a call without a valid credential is UNAUTHENTICATED.
 * - SYNC_REQUIRE_AUTH=false: calls without a credential are let in (stock flagd providers cannot send one); a
 *   credential that is sent must still be valid, so a misconfigured client finds out.
 *
 * Failed attempts are throttled per client address like on HTTP (RESOURCE_EXHAUSTED while blocked).
 */
@Injectable()
export class SyncAuthenticator {
  private readonly tokenDigest?: Buffer;

  constructor(
    private readonly credentials: CredentialChecker,
    private readonly config: AppConfig,
  ) {
    if (config.SYNC_TOKEN) this.tokenDigest = digest(config.SYNC_TOKEN);
  }

  /** null when the call may proceed. */
  async check(metadata: Metadata, peer: string): Promise<SyncRefusal | null> {
    const credential = presentedCredential(metadata);
    if (credential === null && !this.config.SYNC_REQUIRE_AUTH) return null;
    if (credential !== null && this.tokenDigest && timingSafeEqual(digest(credential), this.tokenDigest)) return null;
    const verdict = await this.credentials.check(peerAddress(peer), credential, 'reader');
    switch (verdict.kind) {
      case 'ok':
        return null;
      case 'throttled':
        return throttled(verdict.retryAfterSeconds);
      case 'missing':
        return { code: status.UNAUTHENTICATED, details: 'Send gRPC metadata "authorization: Bearer <API key or SYNC_TOKEN>"' };
      case 'invalid':
        return { code: status.UNAUTHENTICATED, details: 'The credential is neither a valid API key nor the sync token' };
      case 'forbidden':
        return { code: status.PERMISSION_DENIED, details: `The key "${verdict.principal.name}" may not read flags` };
    }
  }
}

function presentedCredential(metadata: Metadata): string | null {
  const authorization = metadata.get('authorization')[0];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : null;
  }
  const apiKey = metadata.get('x-api-key')[0];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : null;
}

/** `ipv4:127.0.0.1:5000`, `127.0.0.1:5000` or `[::1]:5000` → the address without the port. */
function peerAddress(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (bracketed) return bracketed[1];
  const colon = bare.lastIndexOf(':');
  return colon > 0 && bare.indexOf(':') === colon ? bare.slice(0, colon) : bare;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function throttled(retryAfterSeconds: number): SyncRefusal {
  return { code: status.RESOURCE_EXHAUSTED, details: `Too many failed authentications from this client; retry after ${retryAfterSeconds} s` };
}
