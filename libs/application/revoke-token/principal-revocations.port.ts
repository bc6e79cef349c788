import type { DenylistEntry } from '@tessera/domain/revocation/denylist.port';

/** Whose tokens: one client of the tenant, or one subject (`sub`) of the tenant. */
export type Principal = { kind: 'client'; clientId: string } | { kind: 'subject'; sub: string };

export interface PrincipalRevocation {
  tenantId: string;
  principal: Principal;
  /** The cut-off: tokens issued at or before this are revoked (the event's `iat_before`). */
  issuedBefore: Date;
  /** Access tokens still accepted at this instant (exp + leeway) are denied. */
  acceptedSince: Date;
  /** The event is kept at least until then (tokens issued but not recorded yet). */
  keepEventUntil: Date;
  reason: string;
  /** Who asked: the transaction writes the `token.revoke_all` audit row with the revocation. */
  actor: string;
}

export interface PrincipalRevocationResult {
  /** The access tokens denied (already-denied ones included), for the broadcast. */
  denied: DenylistEntry[];
  /** Refresh families this call revoked (their Redis markers come after the commit). */
  families: string[];
  /** Rows of api_tokens this call marked revoked. */
  newlyRevoked: number;
}

/**
 * Everything a client or subject holds, revoked in one Postgres transaction: every recorded
 * token's row marked revoked (refresh families included), every unexpired access token denied
 * (the denylist trigger writes their token-revoked events), one client-revoked /
 * subject-revoked event carrying the cut-off, and the audit row. Safe to repeat.
 */
export interface PrincipalRevocations {
  revokeAll(r: PrincipalRevocation): Promise<PrincipalRevocationResult>;
}
