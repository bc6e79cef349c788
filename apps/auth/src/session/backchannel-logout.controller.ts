import { Body, Controller, HttpCode, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { DI } from '@tessera/application/di-tokens';
import type { BackchannelLogoutUseCase } from '@tessera/application/sign-in/backchannel-logout.use-case';

/**
 * POST /auth/backchannel-logout: the IdP (Authentik 2025.8+) ends our sessions of its ended
 * session. Spec §2.8: 200 with `Cache-Control: no-store`; a bad token is 400 with RFC 6749
 * JSON (the global OAuth error filter, which also sets no-store).
 */
@Controller('auth')
export class BackchannelLogoutController {
  private readonly log = new Logger('BackchannelLogout');

  constructor(@Inject(DI.BackchannelLogout) private readonly logout: BackchannelLogoutUseCase) {}

  @Post('backchannel-logout')
  @HttpCode(200)
  async backchannelLogout(
    @Req() req: Request,
    @Body() body: Record<string, unknown> | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    if (!req.is('application/x-www-form-urlencoded')) {
      throw new DomainError('invalid_request', 'send logout_token form-encoded (spec §2.5)');
    }
    const { ended } = await this.logout.execute({ logoutToken: body?.logout_token });
    this.log.log(`back-channel logout ended ${ended} session(s)`);
  }
}
