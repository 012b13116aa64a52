import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './domain/roles';
import type { Principal } from './domain/principal';

export const REQUIRED_ROLE = 'promptflag:required-role';
export const PUBLIC_ROUTE = 'promptflag:public-route';

/** The least role a key needs for this route (method level wins over class level). */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** No key needed (health, docs). Routes are closed unless marked. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const PRINCIPAL = Symbol('principal');

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ [PRINCIPAL]?: Principal }>();
  const principal = request[PRINCIPAL];
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
