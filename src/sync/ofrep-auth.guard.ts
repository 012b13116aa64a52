import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { presentedKey } from '../auth/api-key.guard';
import { CredentialChecker } from '../auth/credential-checker.service';

/**
 * A 401, 403 or 429 on an OFREP route. OFREP defines these without a body (429 with Retry-After), so the OFREP
 * filter sends only the status and headers.
 */
export class OfrepAuthError extends Error {
  constructor(
    readonly status: 401 | 403 | 429,
    readonly headers: Record<string, string> = {},
  ) {
    super(`OFREP request refused with ${status}`);
  }
}

/**
 * The same API keys as every other route (`Authorization: Bearer <key>` or `X-API-Key`), reader role, and the same
 * throttling of failed attempts per client address; but failures are OFREP-shaped (no body). The OFREP controller
 * is @Public() so the global guard, which answers with JSON bodies, lets it through to this one.
 */
@Injectable()
export class OfrepAuthGuard implements CanActivate {
  constructor(private readonly credentials: CredentialChecker) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const verdict = await this.credentials.check(request.ip, presentedKey(request), 'reader');
    switch (verdict.kind) {
      case 'ok':
        return true;
      case 'throttled':
        throw new OfrepAuthError(429, { 'Retry-After': String(verdict.retryAfterSeconds) });
      case 'missing':
      case 'invalid':
        throw new OfrepAuthError(401, { 'WWW-Authenticate': 'Bearer' });
      case 'forbidden':
        throw new OfrepAuthError(403);
    }
  }
}
