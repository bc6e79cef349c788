import type { DenylistEntry } from '@tessera/domain/revocation/denylist.port';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { noopMetrics } from '../ports/metrics.port';
import type { PrincipalRevocation } from './principal-revocations.port';
import { RevokeAllTokensUseCase } from './revoke-all-tokens.use-case';

/** The order and the bounds; the Postgres side is proven end to end (resource-server-feed e2e). */
describe('RevokeAllTokensUseCase', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const denied: DenylistEntry[] = [
    { jti: 'tok_1', tenantId: 'ten_1', expiresAt: new Date(now.getTime() + 60_000), reason: 'r' },
  ];
  const setup = (fail?: 'store') => {
    const calls: string[] = [];
    const seen: PrincipalRevocation[] = [];
    const use = new RevokeAllTokensUseCase(
      {
        revokeAll: async (r) => {
          calls.push('postgres');
          seen.push(r);
          if (fail) throw new DomainError('temporarily_unavailable', 'down');
          return { denied, families: ['fam_1', 'fam_2'], newlyRevoked: 5 };
        },
      },
      {
        revokeFamily: async (_t: string, f: string) => {
          calls.push(`redis ${f}`);
          throw new DomainError('temporarily_unavailable', 'redis down');
        },
      } as unknown as RefreshStore,
      {
        deny: async () => void calls.push('broadcast'),
        isDenied: () => false,
        prune: async () => 0,
      },
      noopMetrics,
      30,
      900,
      { now: () => now },
    );
    return { use, calls, seen };
  };

  it('Postgres first (with the cut-off now and the actor, for the audit row it writes), then the broadcast and the families’ Redis markers (Redis down is no failure)', async () => {
    const { use, calls, seen } = setup();
    const r = await use.ofClient('ten_1', 'cli_1', 'cli');
    expect(calls).toEqual(['postgres', 'broadcast', 'redis fam_1', 'redis fam_2']);
    expect(seen[0]).toMatchObject({
      tenantId: 'ten_1',
      principal: { kind: 'client', clientId: 'cli_1' },
      issuedBefore: now,
      acceptedSince: new Date(now.getTime() - 30_000),
      keepEventUntil: new Date(now.getTime() + 930_000),
      actor: 'cli',
    });
    expect(r).toEqual({ issuedBefore: now, accessTokensDenied: 1, familiesRevoked: 2 });
  });

  it('Postgres failing › the error, and nothing announced', async () => {
    const { use, calls } = setup('store');
    await expect(use.ofSubject('ten_1', 'user_1', 'cli')).rejects.toThrow(DomainError);
    expect(calls).toEqual(['postgres']);
  });

  it.each(['', 'x'.repeat(256)])(
    'a subject of %#: invalid_request before any write',
    async (sub) => {
      const { use, calls } = setup();
      await expect(use.ofSubject('ten_1', sub, 'cli')).rejects.toMatchObject({
        code: 'invalid_request',
      });
      expect(calls).toEqual([]);
    },
  );
});
