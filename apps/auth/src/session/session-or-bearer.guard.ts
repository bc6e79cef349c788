import {
  Inject,
  Injectable,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { DI } from '@tessera/application/di-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { verifyOncePerRequest } from '@tessera/infrastructure/tokens/verify-once';
import { bearerToken } from '../api/bearer-token';
import { context } from './request-context';
import { SessionAuth } from './session-auth';

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
    @Optional() @Inject(DI.VerifyAccessToken) private readonly verifier?: TokenVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const token = bearerToken(req);
    if (token !== undefined) {
      if (!this.verifier) {
        throw new DomainError('temporarily_unavailable', 'bearer tokens are not accepted yet');
      }
      const claims = await verifyOncePerRequest(req, token, this.verifier);
      context(req).principal = { kind: 'bearer', claims };
      return true;
    }
    const session = await this.auth.current(req);
    if (!session) throw new DomainError('invalid_token', 'sign in or present a bearer token');
    if (!SAFE.has(req.method)) this.auth.assertCsrf(req, session);
    return true;
  }
}
