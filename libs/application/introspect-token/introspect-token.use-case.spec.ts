import type { Client } from '@tessera/domain/token/client';
import type { AccessClaims } from '@tessera/domain/token/access-claims';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import type { PeekResult, RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import { hashRefreshSecret, newRefreshSecret } from '@tessera/domain/refresh/refresh-secret';
import type { TokenRecord, TokenRecords } from '../tokens/token-records.port';
import { IntrospectTokenUseCase } from './introspect-token.use-case';

const NOW = new Date('2026-06-01T12:00:00Z');
const at = (s: number) => new Date(NOW.getTime() + s * 1000);
const client = (over: Partial<Client> = {}): Client => ({
  id: 'cli_a',
  tenantId: 'org_a',
  name: 'a',
  secretHash: Buffer.alloc(32),
  grants: ['client_credentials', 'refresh_token'],
  scopes: ['read'],
  status: 'active',
  ...over,
});
const claims = (over: Partial<AccessClaims> = {}): AccessClaims =>
  ({
    iss: 'https://tessera.test',
    sub: 'cli_a',
    aud: 'https://api-a.test',
    exp: 2_000_000_000,
    iat: 1_900_000_000,
    jti: 'tok_1',
    client_id: 'cli_a',
    org: 'org_a',
    scope: 'read',
    ...over,
  }) as AccessClaims;

function setup(o: {
  verified?: AccessClaims | Error;
  peek?: PeekResult['state'];
  refreshExpiresIn?: number;
  tenant?: 'active' | 'disabled';
  revokedInPostgres?: boolean;
}) {
  const secret = newRefreshSecret();
  const verifier: TokenVerifier = {
    verify: async () => {
      if (o.verified instanceof Error || !o.verified) throw o.verified ?? new Error('bad');
      return o.verified;
    },
  };
  const store = {
    peek: async (hash: string) =>
      o.peek && hash === hashRefreshSecret(secret.token)
        ? {
            state: o.peek,
            record: {
              tenantId: 'org_a',
              familyId: 'fam_1',
              clientId: 'cli_a',
              subject: 'user_1',
              scopes: ['read'],
              accessJti: 'tok_1',
              refreshJti: 'tok_r',
              issuedAt: at(-60),
              expiresAt: at(o.refreshExpiresIn ?? 3600),
            },
          }
        : undefined,
  } as unknown as RefreshStore;
  const records = {
    get: async () =>
      (o.revokedInPostgres ? { revokedAt: at(-1) } : { revokedAt: undefined }) as TokenRecord,
  } as unknown as TokenRecords;
  const useCase = new IntrospectTokenUseCase(
    verifier,
    store,
    { status: async () => o.tenant ?? 'active' },
    records,
    { now: () => NOW },
  );
  return { useCase, refresh: secret.token };
}

const rs = (identifier: string) =>
  client({ id: 'cli_rs', resourceServer: { id: 'rs_1', identifier }, grants: [] });

describe('RFC 7662 introspection › access tokens', () => {
  it.each([
    { name: 'its own client', by: client(), token: claims(), active: true },
    {
      name: 'another client of the tenant',
      by: client({ id: 'cli_b' }),
      token: claims(),
      active: false,
    },
    { name: 'another tenant', by: client({ tenantId: 'org_b' }), token: claims(), active: false },
    {
      name: 'the resource server it names',
      by: rs('https://api-a.test'),
      token: claims(),
      active: true,
    },
    {
      name: 'a resource server among several audiences',
      by: rs('https://api-b.test'),
      token: claims({ aud: ['https://api-a.test', 'https://api-b.test'] } as Partial<AccessClaims>),
      active: true,
    },
    {
      name: 'a resource server it does not name',
      by: rs('https://api-b.test'),
      token: claims(),
      active: false,
    },
    {
      name: 'a resource server of another tenant',
      by: { ...rs('https://api-a.test'), tenantId: 'org_b' },
      token: claims(),
      active: false,
    },
  ])('asked by $name → active: $active', async ({ by, token, active }) => {
    const { useCase } = setup({ verified: token });
    const r = await useCase.execute('eyJ.a.b', by);
    expect(r.active).toBe(active);
    if (active)
      expect(r).toMatchObject({ jti: 'tok_1', client_id: 'cli_a', org: 'org_a', aud: token.aud });
    else expect(r).toEqual({ active: false });
  });

  it('a token that fails verification (bad, expired, revoked) is only inactive', async () => {
    const { useCase } = setup({ verified: new Error('expired') });
    expect(await useCase.execute('eyJ.a.b', client())).toEqual({ active: false });
  });
});

describe('RFC 7662 introspection › refresh tokens', () => {
  it.each([
    { name: 'live, own client', o: { peek: 'live' as const }, by: client(), active: true },
    { name: 'consumed', o: { peek: 'consumed' as const }, by: client(), active: false },
    { name: 'revoked in Redis', o: { peek: 'revoked' as const }, by: client(), active: false },
    {
      name: 'another client',
      o: { peek: 'live' as const },
      by: client({ id: 'cli_b' }),
      active: false,
    },
    {
      name: 'expired by the clock',
      o: { peek: 'live' as const, refreshExpiresIn: 0 },
      by: client(),
      active: false,
    },
    {
      name: 'tenant disabled',
      o: { peek: 'live' as const, tenant: 'disabled' as const },
      by: client(),
      active: false,
    },
    {
      name: 'family revoked in Postgres only',
      o: { peek: 'live' as const, revokedInPostgres: true },
      by: client(),
      active: false,
    },
  ])('$name → active: $active', async ({ o, by, active }) => {
    const { useCase, refresh } = setup(o);
    const r = await useCase.execute(refresh, by);
    expect(r.active).toBe(active);
    if (active)
      expect(r).toMatchObject({
        token_type: 'refresh_token',
        client_id: 'cli_a',
        sub: 'user_1',
        exp: Math.floor(at(3600).getTime() / 1000),
      });
  });

  it('an unknown refresh-shaped token is inactive', async () => {
    const { useCase } = setup({ peek: 'live' });
    expect(await useCase.execute(newRefreshSecret().token, client())).toEqual({ active: false });
  });
});
