import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { AccessClaims } from '@tessera/domain/token/access-claims';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { invalidToken } from '@tessera/domain/token/token.errors';

export type BearerRequest = Request & { principal?: AccessClaims; tessera?: object };

/** RFC 6750 §2.1 bearer tokens in the Authorization header only (never in query strings). */
export function bearerToken(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(h.trim());
  if (!m) throw invalidToken('malformed Authorization header');
  return m[1];
}

@Injectable()
export class BearerGuard implements CanActivate {
  constructor(@Inject(DI.VerifyAccessToken) private readonly verifier: TokenVerifier) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<BearerRequest>();
    const token = bearerToken(req);
    if (!token) throw invalidToken('a bearer access token is required');
    req.principal = await this.verifier.verify(token);
    req.tessera = { tenantId: req.principal.org, clientId: req.principal.client_id };
    return true;
  }
}
