import { Inject, Injectable } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import {
  scopesForTargets,
  type ResolveResources,
} from '@tessera/application/resource-servers/resolve-resources';
import type { TokenResponse } from '@tessera/application/tokens/token-response';
import type { Grant, GrantRequest } from './grant';

/** RFC 6749 §4.4: the client acts for itself; scope within what it was registered for. */
@Injectable()
export class ClientCredentialsGrant implements Grant {
  readonly type = 'client_credentials';

  constructor(
    @Inject(DI.IssueToken) private readonly issue: IssueTokenUseCase,
    @Inject(DI.ResolveResources) private readonly resources: ResolveResources,
  ) {}

  async handle({ client, scopes: requested, resources }: GrantRequest): Promise<TokenResponse> {
    const targets = await this.resources.execute(client, resources);
    if (requested?.some((s) => !client.scopes.includes(s))) {
      throw new DomainError(
        'invalid_scope',
        'the requested scope exceeds the client’s registered scope',
      );
    }
    const scopes = scopesForTargets(targets, requested, client.scopes);
    const { access_token, token_type, expires_in, scope } = await this.issue.execute({
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
}
