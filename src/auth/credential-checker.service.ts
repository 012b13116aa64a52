import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ApiKeyService } from './api-key.service';
import { FailureLimiter } from './domain/failure-limiter';
import type { Principal } from './domain/principal';
import { type Role, roleAllows } from './domain/roles';

export type CredentialVerdict =
  | { kind: 'ok'; principal: Principal }
  | { kind: 'missing' }
  | { kind: 'invalid' }
  | { kind: 'forbidden'; principal: Principal; needed: Role }
  | { kind: 'throttled'; retryAfterSeconds: number };

/**
 * Checks an API key presented on any surface (HTTP, OFREP, gRPC sync) and throttles clients that keep failing.
 * One failure counter per client address serves every surface, so switching protocols buys an attacker nothing.
 * A key known valid is never throttled. Each surface turns the verdict into its own answer (JSON 401, bare OFREP
 * 401, gRPC UNAUTHENTICATED).
 */
@Injectable()
export class CredentialChecker {
  private readonly failures: FailureLimiter;

  constructor(
    private readonly keys: ApiKeyService,
    config: AppConfig,
  ) {
    this.failures = new FailureLimiter(config.AUTH_FAILURE_LIMIT, config.AUTH_FAILURE_WINDOW_SECONDS * 1000);
  }

  async check(client: string, credential: string | null, needed: Role): Promise<CredentialVerdict> {
    const throttle = this.failures.check(client, Date.now());
    if (throttle.blocked && !(credential && this.keys.isCachedValid(credential))) return { kind: 'throttled', retryAfterSeconds: throttle.retryAfterSeconds };

    const principal = credential ? await this.keys.authenticate(credential) : null;
    if (!principal) {
      const verdict = this.failures.recordFailure(client, Date.now());
      if (verdict.blocked) return { kind: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
      return credential ? { kind: 'invalid' } : { kind: 'missing' };
    }
    if (!roleAllows(principal.role, needed)) return { kind: 'forbidden', principal, needed };
    return { kind: 'ok', principal };
  }
}
