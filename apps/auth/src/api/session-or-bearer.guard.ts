import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { bearerToken } from '@tessera/infrastructure/http/credentials';
import { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';
import { SessionAuth } from '../session/session-auth';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session API accepts a bearer access token or the session cookie. Bearer wins when
 * present (an explicit credential, no CSRF exposure); cookie-authenticated writes need the
 * session's CSRF token.
 */
@Injectable()
export class SessionOrBearerGuard implements CanActivate {
  constructor(
    private readonly auth: SessionAuth,
    private readonly principals: RequestPrincipals,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const token = bearerToken(req);
    if (token !== undefined) {
      await this.principals.bearer(req, token);
      return true;
    }
    const session = await this.auth.current(req);
    if (!session) throw new DomainError('invalid_token', 'sign in or present a bearer token');
    if (!SAFE.has(req.method)) this.auth.assertCsrf(req, session);
    return true;
  }
}
