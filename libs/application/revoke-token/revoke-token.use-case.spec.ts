import type { DenylistEntry, Denylist } from '@tessera/domain/revocation/denylist.port';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { noopMetrics } from '../ports/metrics.port';
import type { TokenRecords } from '../tokens/token-records.port';
import type { RefreshLedger } from '../tokens/refresh-ledger.port';
import { RevokeTokenUseCase } from './revoke-token.use-case';

const LEEWAY = 30;

function setup(accessExpiries: Record<string, number>) {
  const denied: DenylistEntry[] = [];
  const denylist: Denylist = {
    deny: (e) => Promise.resolve(void denied.push(...e)),
    isDenied: () => false,
    prune: () => Promise.resolve(0),
  };
  const store = { revokeFamily: () => Promise.resolve([]) } as unknown as RefreshStore;
  const records = {} as TokenRecords;
  // The ledger denies what is still accepted at `acceptedSince`, as its SQL does.
  const ledger = {
    revokeFamily: (tenantId: string, _f: string, reason: string, acceptedSince: Date) => {
      const rows = Object.entries(accessExpiries)
        .map(([jti, exp]) => ({
          jti,
          tenantId,
          reason,
          expiresAt: new Date(Date.now() + exp * 1000),
        }))
        .filter((r) => r.expiresAt > acceptedSince);
      return Promise.resolve({ denied: rows, newlyRevoked: rows.length });
    },
  } as unknown as RefreshLedger;
  const verifier = {} as TokenVerifier;
  const audit = { record: () => Promise.resolve() };
  const uc = new RevokeTokenUseCase(
    verifier,
    store,
    denylist,
    records,
    noopMetrics,
    audit,
    LEEWAY,
    ledger,
  );
  return { uc, denied };
}

describe('RevokeTokenUseCase › family revocation', () => {
  it('denies access tokens just past exp that verifiers still accept within the clock-skew leeway', async () => {
    const { uc, denied } = setup({ live: 600, justExpired: -10, longGone: -3600 });
    await uc.revokeFamily('org_1', 'fam_1', 'refresh_token_reuse');
    expect(denied.map((d) => d.jti).sort()).toEqual(['justExpired', 'live']);
  });
});
