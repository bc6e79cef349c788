import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';
import type { IntrospectTokenUseCase } from '@tessera/application/introspect-token/introspect-token.use-case';
import { tokenRequest } from './token-request';

/** POST /oauth/introspect (RFC 7662): the caller must authenticate as a client. */
@Controller('oauth')
export class IntrospectController {
  constructor(
    private readonly principals: RequestPrincipals,
    @Inject(DI.IntrospectToken) private readonly introspect: IntrospectTokenUseCase,
  ) {}

  @Post('introspect')
  @HttpCode(200)
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { client, token } = await tokenRequest(this.principals, req);
    const result =
      token === undefined ? { active: false } : await this.introspect.execute(token, client);
    res.setHeader('Cache-Control', 'no-store');
    res.json(result);
  }
}
