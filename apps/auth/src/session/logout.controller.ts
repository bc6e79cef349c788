import { HttpCode, Inject, Logger, Optional, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { AuditLog } from '@tessera/application/ports/audit-log.port';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import type { IdentityProvider } from '@tessera/application/sign-in/identity-provider.port';
import { PageController } from '../pages/page-error.filter';
import { setPageHeaders } from '../pages/page-headers';
import { SessionAuth } from './session-auth';

@PageController('auth')
export class LogoutController {
  private readonly log = new Logger('SignOut');

  constructor(
    private readonly auth: SessionAuth,
    @Inject(DI.SessionStore) private readonly store: SessionStore,
    @Inject(DI.IdentityProvider) private readonly idp: IdentityProvider,
    @Optional() @Inject(DI.AuditLog) private readonly audit?: AuditLog,
  ) {}

  /**
   * POST /auth/logout (CSRF token in `_csrf` or `X-CSRF-Token`): ends our session, then
   * RP-initiated logout at the IdP with id_token_hint and post_logout_redirect_uri.
   */
  @Post('logout')
  @HttpCode(303)
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    setPageHeaders(res);
    const c = this.auth.cookies;
    const session = await this.auth.current(req, { allowDisabledTenant: true });
    if (!session) {
      c.clear(res, c.session);
      return res.redirect(303, '/auth/signed-out');
    }
    this.auth.assertCsrf(req, session);
    await this.store.destroy(this.auth.sessionCookieValue(req)!);
    c.clear(res, c.session);
    await this.audit
      ?.record({ tenantId: session.tenantId, actor: session.userId, action: 'sign_out' })
      .catch((e: Error) => this.log.warn(`audit: ${e.message}`));
    const upstream = await this.idp.logoutUrl(session.idToken);
    res.redirect(303, upstream ?? '/auth/signed-out');
  }
}
