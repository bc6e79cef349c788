import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';
import type { IntrospectTokenUseCase } from '@tessera/application/introspect-token/introspect-token.use-case';
import { oauthForm } from '@tessera/infrastructure/http/credentials';

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
    const form = oauthForm(req);
    const client = await this.principals.client(req, form);
    if (!form.token) throw new DomainError('invalid_request', 'token is required');
    const result =
      form.token.length > 8192
        ? { active: false }
        : await this.introspect.execute(form.token, client);
    res.setHeader('Cache-Control', 'no-store');
    res.json(result);
  }
}
