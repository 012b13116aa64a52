import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { HttpExceptionWithHeaders } from '../common/http/domain-error.filter';
import { PRINCIPAL, PUBLIC_ROUTE, REQUIRED_ROLE } from './auth.decorators';
import { CredentialChecker } from './credential-checker.service';
import type { Role } from './domain/roles';
import type { Principal } from './domain/principal';

/**
 * Every route needs a key unless marked @Public(). 401 for a missing or unknown key, 403 for a key without the
 * role, 429 once a client has failed too often. Valid keys are never throttled.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialChecker,
  ) {}

  /**
   * The route's auth metadata per (handler, class): decorator metadata is fixed once the classes are defined, and two
   * reflect-metadata walks up the prototype chains per request cost ~2 µs.
   */
  private readonly routeAuth = new WeakMap<object, WeakMap<object, RouteAuth>>();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, needed } = this.routeAuthOf(context.getHandler(), context.getClass());
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { [PRINCIPAL]?: Principal }>();
    const verdict = await this.credentials.check(request.ip, presentedKey(request), needed);
    switch (verdict.kind) {
      case 'ok':
        request[PRINCIPAL] = verdict.principal;
        return true;
      case 'throttled':
        throw new HttpExceptionWithHeaders(
          { message: `Too many failed authentications from this client; retry after ${verdict.retryAfterSeconds} s`, code: 'AUTH_THROTTLED' },
          HttpStatus.TOO_MANY_REQUESTS,
          { 'Retry-After': String(verdict.retryAfterSeconds) },
        );
      case 'missing':
      case 'invalid':
        throw new HttpExceptionWithHeaders(
          { message: verdict.kind === 'invalid' ? 'The API key is not valid' : 'An API key is required: send Authorization: Bearer <key>', code: 'UNAUTHENTICATED' },
          HttpStatus.UNAUTHORIZED,
          { 'WWW-Authenticate': 'Bearer' },
        );
      case 'forbidden':
        throw new HttpExceptionWithHeaders(
          {
            message: `This route needs the ${needed} role; the key "${verdict.principal.name}" has ${verdict.principal.role}`,
            code: 'FORBIDDEN',
            details: { needed, held: verdict.principal.role },
          },
          HttpStatus.FORBIDDEN,
          {},
        );
    }
  }

  private routeAuthOf(handler: object, cls: object): RouteAuth {
    let byClass = this.routeAuth.get(handler);
    if (byClass === undefined) {
      byClass = new WeakMap();
      this.routeAuth.set(handler, byClass);
    }
    let auth = byClass.get(cls);
    if (auth === undefined) {
      const targets = [handler, cls] as Parameters<Reflector['getAllAndOverride']>[1];
      auth = {
        isPublic: Boolean(this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)),
        needed: this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? 'admin',
      };
      byClass.set(cls, auth);
    }
    return auth;
  }
}

interface RouteAuth {
  isPublic: boolean;
  needed: Role;
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
