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
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { invalidToken } from '@tessera/domain/token/token.errors';
import { verifyOncePerRequest } from '@tessera/infrastructure/tokens/verify-once';
import { bearerToken } from '../api/bearer-token';
import { insufficientScope } from '../session/required-scope';
import { context } from '../session/request-context';
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
    @Inject(DI.VerifyAccessToken) private readonly verifier: TokenVerifier,
    @Inject(DI.PlatformTenant) private readonly platform: PlatformTenant,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    // Belt and braces with the public port's middleware: these routes exist on one listener.
    if (!isManagementRequest(req)) throw new DomainError('not_found', 'no such endpoint');
    const token = bearerToken(req);
    if (token === undefined) throw invalidToken('a bearer access token is required');
    const claims = await verifyOncePerRequest(req, token, this.verifier);
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
    // The request log names the tenant and client, as for the session API's bearer tokens.
    context(req).principal = { kind: 'bearer', claims };
    return true;
  }
}
