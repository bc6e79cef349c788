import {
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { PlatformTenant } from '@tessera/application/tenant/platform-tenant.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { MANAGE_SCOPE, PLATFORM_SCOPE } from '@tessera/domain/tenant/management-scopes';
import { parseScope } from '@tessera/domain/token/access-claims';
import { invalidToken } from '@tessera/domain/token/token.errors';
import { bearerToken } from '@tessera/infrastructure/http/credentials';
import { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';
import { insufficientScope } from '../api/required-scope';
import { isManagementRequest } from './management-request';
import { setPrincipal } from './management-principal';

const PLATFORM_ONLY = 'tessera:management:platform-only';
/** Only a platform client may call this route (tenants: create, disable). */
export const PlatformOnly = () => SetMetadata(PLATFORM_ONLY, true);

/**
 * Bearer access tokens from Tessera itself, through the one verifier (signature, claims,
 * denylist, tenant status). `tessera:platform` counts only on a token of the platform tenant;
 * `tessera:manage` acts on the token's own tenant.
 */
@Injectable()
export class ManagementAuthGuard implements CanActivate {
  constructor(
    private readonly principals: RequestPrincipals,
    @Inject(DI.PlatformTenant) private readonly platform: PlatformTenant,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    // Belt and braces with the public port's middleware: these routes exist on one listener.
    if (!isManagementRequest(req)) throw new DomainError('not_found', 'no such endpoint');
    const token = bearerToken(req);
    if (token === undefined) throw invalidToken('a bearer access token is required');
    // The one verifier (signature, claims, denylist, tenant status), once per request: the
    // rate limiter asked the same question first. It also names the caller in the log.
    const claims = await this.principals.bearer(req, token);
    const scopes = parseScope(claims.scope);
    const platform =
      scopes.includes(PLATFORM_SCOPE) && (await this.platform.isPlatform(claims.org));
    const platformOnly = this.reflector.getAllAndOverride<boolean>(PLATFORM_ONLY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (platformOnly && !platform) throw insufficientScope(PLATFORM_SCOPE);
    if (!platform && !scopes.includes(MANAGE_SCOPE)) throw insufficientScope(MANAGE_SCOPE);
    setPrincipal(req, { actor: claims.sub, tenantId: claims.org, platform, claims });
    return true;
  }
}
