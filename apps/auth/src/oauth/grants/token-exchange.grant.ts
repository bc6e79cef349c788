import type { Client } from '@tessera/domain/token/client';
import type { ExchangeTokenUseCase } from '@tessera/application/exchange-token/exchange-token.use-case';
import type { TokenResponse } from '@tessera/application/tokens/token-response';
import type { Targets } from '@tessera/application/resource-servers/resolve-resources';
import type { Form } from '../oauth-request';

/** RFC 8693 §2.1: the form's exchange parameters, handed to the use case as they came. */
export function tokenExchangeGrant(
  exchange: ExchangeTokenUseCase,
  client: Client,
  form: Form,
  scopes?: string[],
  targets?: Targets,
): Promise<TokenResponse> {
  return exchange.execute({
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
