import { Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { IdentityProvider } from '@tessera/application/sign-in/identity-provider.port';
import { ROLE_SCOPES } from '@tessera/application/session/role-scopes';
import type { SessionTokens } from '@tessera/application/session/session-tokens';
import { safeReturnTo } from '@tessera/application/sign-in/return-to';
import { isTenantSlug } from '@tessera/domain/tenant/tenant-id';
import { SessionAuth } from '../session/session-auth';
import { accountPage } from './account.page';
import { landingPage } from './landing.page';
import { PageController } from './page-error.filter';
import { setPageHeaders } from './page-headers';
import { signInPage } from './sign-in.page';
import { signedOutPage } from './signed-out.page';

export const idpOrigin = (cfg: AppConfig) =>
  cfg.oidc.issuerUrl ? new URL(cfg.oidc.issuerUrl).origin : undefined;

@PageController()
export class PagesController {
  constructor(
    private readonly auth: SessionAuth,
    @Inject(DI.SessionTokens) private readonly tokens: SessionTokens,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(DI.IdentityProvider) private readonly idp: IdentityProvider,
  ) {}

  @Get()
  async landing(@Req() req: Request, @Res() res: Response) {
    // A session of a disabled tenant, or a store that is down, still gets the page.
    const session = await this.auth.current(req).catch(() => null);
    setPageHeaders(res);
    res.type('html').send(
      landingPage({
        signInConfigured: this.idp.configured,
        signedInAs: session
          ? `${session.name ?? session.email ?? session.subject} (${session.tenantSlug})`
          : undefined,
      }),
    );
  }

  @Get('sign-in')
  signIn(
    @Query('tenant') tenant: unknown,
    @Query('return_to') returnTo: unknown,
    @Res() res: Response,
  ) {
    let safe: string | undefined;
    try {
      safe = returnTo === undefined ? undefined : safeReturnTo(returnTo);
    } catch {
      safe = undefined;
    }
    setPageHeaders(res, idpOrigin(this.cfg));
    res
      .type('html')
      .send(signInPage({ tenant: isTenantSlug(tenant) ? tenant : undefined, returnTo: safe }));
  }

  @Get('auth/signed-out')
  signedOut(@Res() res: Response) {
    setPageHeaders(res);
    res.type('html').send(signedOutPage());
  }

  @Get('account')
  async account(@Req() req: Request, @Res() res: Response) {
    const session = await this.auth.current(req);
    setPageHeaders(res, idpOrigin(this.cfg));
    if (!session) {
      return res.redirect(303, `/sign-in?return_to=%2Faccount`);
    }
    const owner = { tenantId: session.tenantId, userId: session.userId, role: session.role };
    const tokens = await this.tokens.list(owner).catch(() => []);
    res
      .type('html')
      .send(accountPage({ session, tokens, allowedScopes: ROLE_SCOPES[session.role] }));
  }
}
