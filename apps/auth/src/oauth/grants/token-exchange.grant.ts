import { Inject, Injectable } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import {
  TOKEN_EXCHANGE_GRANT,
  type ExchangeTokenUseCase,
} from '@tessera/application/exchange-token/exchange-token.use-case';
import type { ResolveResources } from '@tessera/application/resource-servers/resolve-resources';
import type { TokenResponse } from '@tessera/application/tokens/token-response';
import type { Grant, GrantRequest } from './grant';

/** RFC 8693 §2.1: the form's exchange parameters, handed to the use case as they came. */
@Injectable()
export class TokenExchangeGrant implements Grant {
  readonly type = TOKEN_EXCHANGE_GRANT;

  constructor(
    @Inject(DI.ExchangeToken) private readonly exchange: ExchangeTokenUseCase,
    @Inject(DI.ResolveResources) private readonly resources: ResolveResources,
  ) {}

  async handle({ client, form, scopes, resources }: GrantRequest): Promise<TokenResponse> {
    const targets = await this.resources.execute(client, resources);
    return this.exchange.execute({
      client,
      subjectToken: form.subject_token,
      subjectTokenType: form.subject_token_type,
      requestedTokenType: form.requested_token_type,
      actorToken: form.actor_token,
      actorTokenType: form.actor_token_type,
      audience: form.audience,
      targets,
      scopes,
    });
  }
}
