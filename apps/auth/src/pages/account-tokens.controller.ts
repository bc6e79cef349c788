import { Body, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import { ROLE_SCOPES } from '@tessera/application/session/role-scopes';
import type { SessionTokens } from '@tessera/application/session/session-tokens';
import { DomainError, isDomainError } from '@tessera/domain/shared/domain-error';
import { SessionAuth } from '../session/session-auth';
import { requestContext } from '@tessera/infrastructure/http/request-context';
import { accountPage } from './account.page';
import { PageController } from './page-error.filter';
import { idpOrigin } from './pages.controller';
import { setPageHeaders } from './page-headers';

/** The account page's forms: create (the token is shown in this response only) and revoke. */
@PageController('account/tokens')
export class AccountTokensController {
  constructor(
    private readonly auth: SessionAuth,
    @Inject(DI.SessionTokens) private readonly tokens: SessionTokens,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  private async session(req: Request) {
    const session = await this.auth.current(req);
    if (!session)
      throw new DomainError('invalid_token', 'your session has ended; please sign in again');
    this.auth.assertCsrf(req, session);
    return session;
  }

  @Post()
  async create(@Req() req: Request, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const session = await this.session(req);
    requestContext(req).principal = { kind: 'session', session };
    const owner = { tenantId: session.tenantId, userId: session.userId, role: session.role };
    const view = { session, allowedScopes: ROLE_SCOPES[session.role] };
    setPageHeaders(res, idpOrigin(this.cfg));
    try {
      const minted = await this.tokens.mint(owner, {
        name: body?.name,
        scopes: typeof body?.scopes === 'string' ? [body.scopes] : body?.scopes,
      });
      const tokens = await this.tokens.list(owner);
      res
        .status(201)
        .type('html')
        .send(accountPage({ ...view, tokens, minted }));
    } catch (e) {
      if (!isDomainError(e) || e.code === 'temporarily_unavailable' || e.code === 'rate_limited')
        throw e;
      const tokens = await this.tokens.list(owner).catch(() => []);
      res
        .status(400)
        .type('html')
        .send(accountPage({ ...view, tokens, error: e.description }));
    }
  }

  @Post(':id/revoke')
  async revoke(@Req() req: Request, @Param('id') id: string, @Res() res: Response) {
    const session = await this.session(req);
    await this.tokens.revoke(
      { tenantId: session.tenantId, userId: session.userId, role: session.role },
      id,
    );
    setPageHeaders(res);
    res.redirect(303, '/account');
  }
}
