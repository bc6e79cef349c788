import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Client } from '@tessera/domain/token/client';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import {
  scopesForTargets,
  type Targets,
} from '@tessera/application/resource-servers/resolve-resources';
import type { TokenResponse } from '@tessera/application/tokens/token-response';

/** RFC 6749 §4.4: the client acts for itself; scope within what it was registered for. */
export async function clientCredentialsGrant(
  issue: IssueTokenUseCase,
  client: Client,
  requested?: string[],
  targets?: Targets,
): Promise<TokenResponse> {
  if (requested?.some((s) => !client.scopes.includes(s))) {
    throw new DomainError(
      'invalid_scope',
      'the requested scope exceeds the client’s registered scope',
    );
  }
  const scopes = scopesForTargets(targets, requested, client.scopes);
  const { access_token, token_type, expires_in, scope } = await issue.execute({
    tenantId: client.tenantId,
    subject: client.id,
    clientId: client.id,
    scopes,
    ...(targets ? { audience: targets.audience } : {}),
    grant: 'client_credentials',
    withRefresh: false,
  });
  return { access_token, token_type, expires_in, ...(scope ? { scope } : {}) };
}
