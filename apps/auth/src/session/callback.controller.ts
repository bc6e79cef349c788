import { Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { CompleteLoginUseCase } from '@tessera/application/sign-in/complete-login.use-case';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import { PageController } from '../pages/page-error.filter';
import { setPageHeaders } from '../pages/page-headers';
import { requestContext } from '@tessera/infrastructure/http/request-context';
import { SessionAuth } from './session-auth';

@PageController('auth')
export class CallbackController {
  constructor(
    @Inject(DI.CompleteLogin) private readonly complete: CompleteLoginUseCase,
    @Inject(DI.SessionStore) private readonly store: SessionStore,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly auth: SessionAuth,
  ) {}

  /**
   * GET /auth/callback. The pending-login cookie is single-use whatever happens. A session
   * the browser had before is ended once the new one exists (a planted id never becomes a
   * signed-in one), and only then: a forged cross-site callback must not sign anyone out.
   */
  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const c = this.auth.cookies;
    const pendingId = c.read(req, c.pending);
    c.clear(res, c.pending);
    // The configured redirect URI, not the Host header, is what the IdP compares.
    const callbackUrl = new URL(this.cfg.oidc.redirectUri ?? `${this.cfg.issuer}/auth/callback`);
    callbackUrl.search = new URL(req.originalUrl, 'http://callback.invalid').search;
    const result = await this.complete.execute({ pendingId, callbackUrl });
    const previous = c.read(req, c.session);
    if (previous) await this.store.destroy(previous).catch(() => undefined);
    c.set(res, c.session, result.sessionId, this.cfg.session.absoluteTtl);
    requestContext(req).sessionId = result.idHash;
    setPageHeaders(res);
    res.redirect(303, result.returnTo);
  }
}
