import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { ClientGrant } from '@tessera/domain/token/client';
import { RequestPrincipals } from '@tessera/infrastructure/http/request-principals';
import { GRANTS, type GrantRegistry } from './grants/grant';
import { oauthForm } from '@tessera/infrastructure/http/credentials';
import { requestedResources, requestedScopes } from './oauth-request';

/** POST /oauth/token (RFC 6749 §3.2): parse, authenticate the client, dispatch to its grant. */
@Controller('oauth')
export class TokenController {
  constructor(
    private readonly principals: RequestPrincipals,
    @Inject(GRANTS) private readonly grants: GrantRegistry,
  ) {}

  @Post('token')
  @HttpCode(200)
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    const form = oauthForm(req);
    const resources = requestedResources(req);
    const type = form.grant_type;
    if (!type) throw new DomainError('invalid_request', 'grant_type is required');
    const grant = this.grants.get(type);
    if (!grant) throw new DomainError('unsupported_grant_type', 'this grant_type is not supported');
    const client = await this.principals.client(req, form);
    // A resource server's credentials are for introspection and the feed: no grant at all.
    if (client.resourceServer || !client.grants.includes(type as ClientGrant)) {
      throw new DomainError('unauthorized_client', 'this client may not use this grant_type');
    }
    const body = await grant.handle({ client, form, scopes: requestedScopes(form), resources });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.json(body);
  }
}
