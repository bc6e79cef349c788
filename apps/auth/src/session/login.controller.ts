import { Get, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { StartLoginUseCase } from '@tessera/application/sign-in/start-login.use-case';
import { PageController } from '../pages/page-error.filter';
import { setPageHeaders } from '../pages/page-headers';
import { SessionAuth } from './session-auth';

@PageController('auth')
export class LoginController {
  constructor(
    @Inject(DI.StartLogin) private readonly start: StartLoginUseCase,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly auth: SessionAuth,
  ) {}

  /** GET /auth/login?tenant=<slug>&return_to=<path>: to the IdP, pending login in a cookie. */
  @Get('login')
  async login(
    @Query('tenant') tenant: unknown,
    @Query('return_to') returnTo: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const { redirectTo, pendingId } = await this.start.execute({ tenant, returnTo });
    const c = this.auth.cookies;
    c.set(res, c.pending, pendingId, this.cfg.session.pendingLoginTtl);
    setPageHeaders(res);
    res.redirect(302, redirectTo);
  }
}
