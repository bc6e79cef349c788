import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Client } from '@tessera/domain/token/client';
import type { TrustedIssuer } from '@tessera/domain/federation/trusted-issuer';
import type { IssueTokenCommand, IssueTokenUseCase } from '../issue-token/issue-token.use-case';
import type { SubjectTokenVerifier } from './subject-token-verifier.port';
import {
  ExchangeTokenUseCase,
  TOKEN_TYPE,
  type ExchangeTokenCommand,
} from './exchange-token.use-case';

const client: Client = {
  id: 'cli_ci',
  tenantId: 'org_a',
  name: 'ci',
  secretHash: Buffer.alloc(32),
  grants: ['urn:ietf:params:oauth:grant-type:token-exchange'],
  scopes: ['deploy', 'read'],
  status: 'active',
};
const trusted: TrustedIssuer = {
  id: 'tis_1',
  tenantId: 'org_a',
  issuer: 'https://ci.example',
  jwksUri: 'https://ci.example/jwks',
  audience: 'tessera',
  subjectPrefix: 'ci:',
  allowedScopes: ['deploy', 'admin'],
  role: 'member',
  status: 'active',
  createdAt: new Date(0),
};

function setup(o: { trustedRow?: TrustedIssuer; verifyFails?: DomainError } = {}) {
  const issued: IssueTokenCommand[] = [];
  const lookups: string[] = [];
  const verifier: SubjectTokenVerifier = {
    unverifiedIssuer: () => 'https://ci.example',
    verify: async () => {
      if (o.verifyFails) throw o.verifyFails;
      return { sub: 'repo:acme/app', iss: 'https://ci.example', claims: {} };
    },
  };
  const issue = {
    execute: async (cmd: IssueTokenCommand) => {
      issued.push(cmd);
      return {
        access_token: 'at',
        token_type: 'Bearer',
        expires_in: 900,
        scope: cmd.scopes.join(' '),
      };
    },
  } as unknown as IssueTokenUseCase;
  const useCase = new ExchangeTokenUseCase(
    {
      findActive: async (tenantId: string, iss: string) => {
        lookups.push(`${tenantId} ${iss}`);
        return 'trustedRow' in o ? o.trustedRow : trusted;
      },
      create: async () => trusted,
      list: async () => [],
      remove: async () => false,
    },
    verifier,
    issue,
    { audience: 'tessera-api' },
  );
  return { useCase, issued, lookups };
}

const ok: ExchangeTokenCommand = {
  client,
  subjectToken: 'eyJ.subject.token',
  subjectTokenType: TOKEN_TYPE.jwt,
};

describe('RFC 8693 token exchange', () => {
  it('a trusted subject gets an access token for its namespaced subject, the issuer’s role and the scopes both allow', async () => {
    const { useCase, issued, lookups } = setup();
    const r = await useCase.execute(ok);
    expect(r).toMatchObject({ issued_token_type: TOKEN_TYPE.accessToken, token_type: 'Bearer' });
    expect(lookups).toEqual(['org_a https://ci.example']);
    expect(issued[0]).toMatchObject({
      tenantId: 'org_a',
      subject: 'ext:tis_1:ci:repo:acme/app',
      clientId: 'cli_ci',
      role: 'member',
      scopes: ['deploy'],
      grant: 'token_exchange',
      withRefresh: false,
    });
  });

  it.each([
    { name: 'no subject_token', cmd: { ...ok, subjectToken: undefined }, code: 'invalid_request' },
    {
      name: 'no subject_token_type',
      cmd: { ...ok, subjectTokenType: undefined },
      code: 'invalid_request',
    },
    {
      name: 'a subject_token_type we do not take',
      cmd: { ...ok, subjectTokenType: 'urn:ietf:params:oauth:token-type:saml2' },
      code: 'invalid_request',
    },
    {
      name: 'a requested_token_type other than an access token',
      cmd: { ...ok, requestedTokenType: TOKEN_TYPE.idToken },
      code: 'invalid_request',
    },
    {
      name: 'an actor token (delegation)',
      cmd: { ...ok, actorToken: 'x' },
      code: 'invalid_request',
    },
    {
      name: 'an audience that is not ours',
      cmd: { ...ok, audience: 'other-api' },
      code: 'invalid_target',
    },
    {
      name: 'a scope the issuer does not allow',
      cmd: { ...ok, scopes: ['read'] },
      code: 'invalid_scope',
    },
    {
      name: 'a scope the client does not have',
      cmd: { ...ok, scopes: ['admin'] },
      code: 'invalid_scope',
    },
  ])('$name → $code, nothing issued', async ({ cmd, code }) => {
    const { useCase, issued } = setup();
    await expect(useCase.execute(cmd as ExchangeTokenCommand)).rejects.toMatchObject({ code });
    expect(issued).toHaveLength(0);
  });

  it('an issuer the tenant does not trust → invalid_request, before any verification', async () => {
    const { useCase, issued } = setup({ trustedRow: undefined });
    await expect(useCase.execute(ok)).rejects.toMatchObject({ code: 'invalid_request' });
    expect(issued).toHaveLength(0);
  });

  it('a subject token that fails verification is refused as the verifier says', async () => {
    const { useCase, issued } = setup({
      verifyFails: new DomainError('invalid_request', 'the subject token has expired'),
    });
    await expect(useCase.execute(ok)).rejects.toMatchObject({
      code: 'invalid_request',
      description: 'the subject token has expired',
    });
    expect(issued).toHaveLength(0);
  });

  it('resources (RFC 8707) name the audience; a scope outside them is invalid_scope', async () => {
    const { useCase, issued } = setup();
    await useCase.execute({
      ...ok,
      scopes: ['deploy'],
      targets: { audience: ['https://deploy.example'], scopes: new Set(['deploy']) },
    });
    expect(issued[0]).toMatchObject({ audience: ['https://deploy.example'], scopes: ['deploy'] });
    await expect(
      useCase.execute({
        ...ok,
        targets: { audience: ['https://read.example'], scopes: new Set(['read']) },
        scopes: ['deploy'],
      }),
    ).rejects.toMatchObject({ code: 'invalid_scope' });
  });
});
