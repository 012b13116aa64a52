import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { HttpExceptionWithHeaders } from '../common/http/domain-error.filter';
import { ApiKeyService } from './api-key.service';
import { PRINCIPAL, PUBLIC_ROUTE, REQUIRED_ROLE } from './auth.decorators';
import { FailureLimiter } from './domain/failure-limiter';
import { type Role, roleAllows } from './domain/roles';
import type { Principal } from './domain/principal';

/**
 * Every route needs a key unless marked @Public(). 401 for a missing or unknown key, 403 for a key without the
 * role, 429 once a client has failed too often. Valid keys are never throttled.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly failures: FailureLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    config: AppConfig,
  ) {
    this.failures = new FailureLimiter(config.AUTH_FAILURE_LIMIT, config.AUTH_FAILURE_WINDOW_SECONDS * 1000);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const needed = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? 'admin';
    const request = context.switchToHttp().getRequest<FastifyRequest & { [PRINCIPAL]?: Principal }>();
    const client = request.ip;
    const rawKey = presentedKey(request);

    const throttle = this.failures.check(client, Date.now());
    if (throttle.blocked && !(rawKey && this.keys.isCachedValid(rawKey))) throw tooManyFailures(throttle.retryAfterSeconds);

    const principal = rawKey ? await this.keys.authenticate(rawKey) : null;
    if (!principal) {
      const verdict = this.failures.recordFailure(client, Date.now());
      if (verdict.blocked) throw tooManyFailures(verdict.retryAfterSeconds);
      throw new HttpExceptionWithHeaders(
        { message: rawKey ? 'The API key is not valid' : 'An API key is required: send Authorization: Bearer <key>', code: 'UNAUTHENTICATED' },
        HttpStatus.UNAUTHORIZED,
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    if (!roleAllows(principal.role, needed)) {
      throw new HttpExceptionWithHeaders(
        { message: `This route needs the ${needed} role; the key "${principal.name}" has ${principal.role}`, code: 'FORBIDDEN', details: { needed, held: principal.role } },
        HttpStatus.FORBIDDEN,
        {},
      );
    }
    request[PRINCIPAL] = principal;
    return true;
  }
}

/** `Authorization: Bearer <key>`, or `X-API-Key: <key>` as OFREP clients send it. */
export function presentedKey(request: FastifyRequest): string | null {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : null;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : null;
}

function tooManyFailures(retryAfterSeconds: number): HttpExceptionWithHeaders {
  return new HttpExceptionWithHeaders(
    { message: `Too many failed authentications from this client; retry after ${retryAfterSeconds} s`, code: 'AUTH_THROTTLED' },
    HttpStatus.TOO_MANY_REQUESTS,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}
