import { createParamDecorator, Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { ManageTenants } from '@tessera/application/tenant/manage-tenants.use-case';
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

export function principalOf(req: Request): ManagementPrincipal {
  const p = principals.get(req);
  if (!p) throw new DomainError('invalid_token', 'no management principal');
  return p;
}

export const Principal = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  principalOf(ctx.switchToHttp().getRequest<Request>()),
);

const noSuchTenant = () => new DomainError('not_found', 'no such tenant');

/**
 * The tenant a request may act on: any, for the platform; its own, for everyone else. Another
 * tenant's id is answered as if it did not exist (404), so ids cannot be probed.
 */
export function actingOn(p: ManagementPrincipal, tenantId: string): string {
  if (p.platform || p.tenantId === tenantId) return tenantId;
  throw noSuchTenant();
}

/** The caller of a route under `tenants/:tenant_id/`, and the tenant id its path names. */
export interface TenantCall extends ManagementPrincipal {
  /** As given in the path: `TenantScope.id` checks it. */
  pathTenantId: string;
}

export const OnTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantCall => {
  const req = ctx.switchToHttp().getRequest<Request>();
  return { ...principalOf(req), pathTenantId: req.params.tenant_id as string };
});

/** The tenant a call acts on, checked to exist (a platform caller may name any). */
@Injectable()
export class TenantScope {
  constructor(@Inject(DI.ManageTenants) private readonly tenants: ManageTenants) {}

  async id(call: TenantCall): Promise<string> {
    return (await this.tenants.get(actingOn(call, call.pathTenantId))).id;
  }
}
