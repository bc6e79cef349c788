import { TokenIssuer } from '@tessera/domain/token/token-issuer';
import type { TokenSigner } from '@tessera/domain/token/token-signer.port';
import { hashRefreshSecret } from '@tessera/domain/refresh/refresh-secret';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { RefreshRecord } from '@tessera/domain/refresh/refresh-token';
import { noopMetrics } from '../ports/metrics.port';
import type { TokenRecord, TokenRecords } from '../tokens/token-records.port';
import { IssueTokenUseCase, type IssueTokenCommand } from './issue-token.use-case';

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400;
const settings = { refreshTtl: 30 * DAY, refreshGrace: 10, refreshFamilyLifetime: 90 * DAY };

function setup(o: { failRecord?: boolean } = {}) {
  const log: string[] = [];
  const signed: object[] = [];
  const signer: TokenSigner = {
    kid: 'k1',
    alg: 'ES256',
    publicJwk: () => ({ kty: 'EC', kid: 'k1', alg: 'ES256', use: 'sig' }),
    sign: async (payload) => {
      signed.push(payload);
      return { token: `signed.${signed.length}.x`, kid: 'k1', alg: 'ES256' };
    },
  };
  const issuer = new TokenIssuer(
    signer,
    { now: () => NOW },
    {
      issuer: 'https://tessera.test',
      audience: 'tessera-api',
      accessTtl: 900,
    },
  );
  const rows: TokenRecord[] = [];
  const saved: { hash: string; record: RefreshRecord }[] = [];
  const records = {
    record: async (r: readonly TokenRecord[]) => {
      if (o.failRecord) throw new Error('db down');
      log.push('record');
      rows.push(...r);
    },
  } as unknown as TokenRecords;
  const store = {
    save: async (hash: string, record: RefreshRecord) => {
      log.push('save');
      saved.push({ hash, record });
    },
  } as unknown as RefreshStore;
  const metrics = { ...noopMetrics, tokenIssued: () => void log.push('issued') };
  const useCase = new IssueTokenUseCase(issuer, store, records, metrics, settings);
  return { useCase, log, rows, saved, signed };
}

const base: IssueTokenCommand = {
  tenantId: 'org_a',
  subject: 'user_1',
  clientId: 'cli_a',
  userId: 'user_1',
  scopes: ['read'],
  grant: 'cli',
  withRefresh: true,
};

describe('issuing tokens', () => {
  it('records every row before the refresh store learns of the token, and counts it last', async () => {
    const { useCase, log, rows, saved } = setup();
    const minted = await useCase.execute(base);
    expect(log).toEqual(['record', 'save', 'issued']);
    expect(rows.map((r) => r.kind)).toEqual(['access', 'refresh']);
    expect(rows[1]!.tokenHash).toBe(hashRefreshSecret(minted.refresh_token!));
    expect(saved[0]!.hash).toBe(rows[1]!.tokenHash);
    expect(saved[0]!.record).toMatchObject({ accessJti: minted.jti, refreshJti: rows[1]!.jti });
    expect(rows[0]!.familyId).toBe(rows[1]!.familyId);
  });

  it('without a refresh token: one row, nothing saved, no refresh_token in the answer', async () => {
    const { useCase, rows, saved } = setup();
    const minted = await useCase.execute({ ...base, withRefresh: false });
    expect(rows).toHaveLength(1);
    expect(saved).toHaveLength(0);
    expect(minted.refresh_token).toBeUndefined();
  });

  it.each([
    { name: 'a new family', startedDaysAgo: undefined, expiresInDays: 30 },
    { name: 'a family of 10 days', startedDaysAgo: 10, expiresInDays: 30 },
    { name: 'a family of 70 days (lifetime caps it)', startedDaysAgo: 70, expiresInDays: 20 },
  ])('the refresh token of $name expires in $expiresInDays days', async (t) => {
    const { useCase, saved } = setup();
    const familyStartedAt =
      t.startedDaysAgo === undefined
        ? undefined
        : new Date(NOW.getTime() - t.startedDaysAgo * DAY * 1000);
    await useCase.execute({ ...base, familyId: 'fam_1', familyStartedAt });
    const { record } = saved[0]!;
    expect((record.expiresAt.getTime() - NOW.getTime()) / 1000 / DAY).toBe(t.expiresInDays);
    expect(record.familyStartedAt).toEqual(familyStartedAt ?? NOW);
  });

  it('a rotation keeps the family scope and resources while the access token narrows', async () => {
    const { useCase, saved, signed } = setup();
    await useCase.execute({
      ...base,
      scopes: ['read'],
      familyScopes: ['read', 'write'],
      audience: ['https://api-a.test'],
      familyResources: ['https://api-a.test', 'https://api-b.test'],
    });
    expect(saved[0]!.record.scopes).toEqual(['read', 'write']);
    expect(saved[0]!.record.resources).toEqual(['https://api-a.test', 'https://api-b.test']);
    expect(signed[0]).toMatchObject({ scope: 'read', aud: 'https://api-a.test' });
  });

  it('prepare() signs and builds rows but writes nothing', async () => {
    const { useCase, log, rows } = setup();
    const prepared = await useCase.prepare(base);
    expect(prepared.rows).toHaveLength(2);
    expect(rows).toHaveLength(0);
    expect(log).toEqual([]);
  });

  it('a failed record write hands out nothing and counts nothing', async () => {
    const { useCase, log } = setup({ failRecord: true });
    await expect(useCase.execute(base)).rejects.toThrow('db down');
    expect(log).toEqual([]);
  });
});
