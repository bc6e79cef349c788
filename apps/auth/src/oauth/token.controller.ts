import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { ClientGrant } from '@tessera/domain/token/client';
import { looksLikeRefreshSecret } from '@tessera/domain/refresh/refresh-secret';
import type { AuthenticateClient } from '@tessera/application/authenticate-client/authenticate-client.use-case';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import type { RotateRefreshUseCase } from '@tessera/application/rotate-refresh/rotate-refresh.use-case';
import {
  TOKEN_EXCHANGE_GRANT,
  type ExchangeTokenUseCase,
} from '@tessera/application/exchange-token/exchange-token.use-case';
import type { TokenResponse } from '@tessera/application/tokens/token-response';
import type { ResolveResources } from '@tessera/application/resource-servers/resolve-resources';
import { clientCredentialsGrant } from './grants/client-credentials.grant';
import { tokenExchangeGrant } from './grants/token-exchange.grant';
import {
  authenticatedClient,
  oauthForm,
  requestedResources,
  requestedScopes,
} from './oauth-request';

const SUPPORTED: readonly string[] = ['client_credentials', 'refresh_token', TOKEN_EXCHANGE_GRANT];

/** POST /oauth/token (RFC 6749 §3.2): authenticate the client, then run the grant. */
@Controller('oauth')
export class TokenController {
  constructor(
    @Inject(DI.AuthenticateClient) private readonly authenticate: AuthenticateClient,
    @Inject(DI.IssueToken) private readonly issue: IssueTokenUseCase,
    @Inject(DI.RotateRefresh) private readonly rotate: RotateRefreshUseCase,
    @Inject(DI.ExchangeToken) private readonly exchange: ExchangeTokenUseCase,
    @Inject(DI.ResolveResources) private readonly targets: ResolveResources,
  ) {}

  @Post('token')
  @HttpCode(200)
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    const form = oauthForm(req);
    const resources = requestedResources(req);
    const grant = form.grant_type;
    if (!grant) throw new DomainError('invalid_request', 'grant_type is required');
    if (!SUPPORTED.includes(grant))
      throw new DomainError('unsupported_grant_type', 'this grant_type is not supported');
    const client = await authenticatedClient(req, form, this.authenticate);
    // A resource server's credentials are for introspection and the feed: no grant at all.
    if (client.resourceServer || !client.grants.includes(grant as ClientGrant)) {
      throw new DomainError('unauthorized_client', 'this client may not use this grant_type');
    }
    const scopes = requestedScopes(form);
    let body: TokenResponse;
    if (grant === 'client_credentials') {
      const targets = await this.targets.execute(client, resources);
      body = await clientCredentialsGrant(this.issue, client, scopes, targets);
    } else if (grant === TOKEN_EXCHANGE_GRANT) {
      const targets = await this.targets.execute(client, resources);
      body = await tokenExchangeGrant(this.exchange, client, form, scopes, targets);
    } else {
      if (!form.refresh_token)
        throw new DomainError('invalid_request', 'refresh_token is required');
      if (!looksLikeRefreshSecret(form.refresh_token)) {
        throw new DomainError('invalid_grant', 'the refresh token is invalid, expired or revoked');
      }
      body = await this.rotate.execute({
        refreshToken: form.refresh_token,
        client,
        scopes,
        resources,
      });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.json(body);
  }
}
