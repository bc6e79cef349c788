import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';
import type { RevokeTokenUseCase } from '@tessera/application/revoke-token/revoke-token.use-case';
import { tokenRequest } from './token-request';

const HINTS = ['access_token', 'refresh_token'];

/** POST /oauth/revoke (RFC 7009): 200 whether or not the token was ours to revoke. */
@Controller('oauth')
export class RevokeController {
  constructor(
    private readonly principals: RequestPrincipals,
    @Inject(DI.RevokeToken) private readonly revoke: RevokeTokenUseCase,
  ) {}

  @Post('revoke')
  @HttpCode(200)
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { form, client, token } = await tokenRequest(this.principals, req);
    // RFC 7009 §2.2: an invalid hint value is ignored and does not change the response.
    const hint = HINTS.includes(form.token_type_hint ?? '') ? form.token_type_hint : undefined;
    if (token !== undefined) await this.revoke.revokePresented(token, client, hint);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).end();
  }
}
