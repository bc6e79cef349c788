import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { AccessClaims } from '@tessera/domain/token/access-claims';

/** Who calls the management API, as the guard proved it. */
export interface ManagementPrincipal {
  /** The token's `sub`: a user id (session-minted) or a client id (client credentials). */
  actor: string;
  /** The token's `org`. */
  tenantId: string;
  /** Holds `tessera:platform` as a client of the platform tenant. */
  platform: boolean;
  claims: AccessClaims;
}

const principals = new WeakMap<Request, ManagementPrincipal>();

export const setPrincipal = (req: Request, p: ManagementPrincipal) => principals.set(req, p);

export const Principal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const p = principals.get(ctx.switchToHttp().getRequest<Request>());
  if (!p) throw new DomainError('invalid_token', 'no management principal');
  return p;
});

const noSuchTenant = () => new DomainError('not_found', 'no such tenant');

/**
 * The tenant a request may act on: any, for the platform; its own, for everyone else. Another
 * tenant's id is answered as if it did not exist (404), so ids cannot be probed.
 */
export function actingOn(p: ManagementPrincipal, tenantId: string): string {
  if (p.platform || p.tenantId === tenantId) return tenantId;
  throw noSuchTenant();
}
