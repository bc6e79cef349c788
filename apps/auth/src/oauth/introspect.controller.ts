import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { AuthenticateClient } from '@tessera/application/authenticate-client/authenticate-client.use-case';
import type { IntrospectTokenUseCase } from '@tessera/application/introspect-token/introspect-token.use-case';
import { authenticatedClient, oauthForm } from './oauth-request';

/** POST /oauth/introspect (RFC 7662): the caller must authenticate as a client. */
@Controller('oauth')
export class IntrospectController {
  constructor(
    @Inject(DI.AuthenticateClient) private readonly authenticate: AuthenticateClient,
    @Inject(DI.IntrospectToken) private readonly introspect: IntrospectTokenUseCase,
  ) {}

  @Post('introspect')
  @HttpCode(200)
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    const form = oauthForm(req);
    const client = await authenticatedClient(req, form, this.authenticate);
    if (!form.token) throw new DomainError('invalid_request', 'token is required');
    const result =
      form.token.length > 8192
        ? { active: false }
        : await this.introspect.execute(form.token, client);
    res.setHeader('Cache-Control', 'no-store');
    res.json(result);
  }
}
