import type { DenylistEntry } from '@tessera/domain/revocation/denylist.port';
import type { AuditAction } from '../ports/audit-log.port';
import type { TokenRecord } from './token-records.port';

/** Where a refresh token stands in Postgres: the durable truth behind the Redis index. */
export interface RefreshState {
  revoked: boolean;
  /** Set once, by the transaction that recorded the successor. */
  consumedAt?: Date;
  /** That successor, sealed with a key derived from the consumed token. */
  sealedSuccessor?: string;
}

/** A refresh row found by its token's hash (revocation without Redis). */
export interface RefreshRow {
  tenantId: string;
  familyId: string;
  clientId: string;
  jti: string;
}

/**
 * Durable refresh-token consumption and family revocation, each one Postgres transaction
 * under a per-family lock: a rotation and a revocation of one family never interleave.
 */
export interface RefreshLedger {
  state(tenantId: string, refreshJti: string): Promise<RefreshState | undefined>;
  /**
   * Marks the token consumed with its sealed successor and records the successor's rows, all
   * or nothing, only if the token is neither consumed nor revoked. false: it was (somebody
   * else rotated it first, or its family was revoked); nothing was written.
   */
  consume(input: {
    tenantId: string;
    familyId: string;
    refreshJti: string;
    consumedAt: Date;
    sealedSuccessor: string;
    successorRows: readonly TokenRecord[];
  }): Promise<boolean>;
  /**
   * Marks every row of the family revoked and denies each of its access tokens still accepted
   * at `acceptedSince`, in one transaction; safe to repeat (a repeat re-denies, changes
   * nothing). The transaction that newly revokes a row also appends the audit event (`audit`
   * plus the reason and the count denied): a crash cannot lose it, a repeat adds none.
   * Returns the access tokens denied, so the caller can announce them.
   */
  revokeFamily(
    tenantId: string,
    familyId: string,
    reason: string,
    acceptedSince: Date,
    audit: { actor: string; action: AuditAction },
  ): Promise<{ denied: DenylistEntry[]; newlyRevoked: number }>;
  findByTokenHash(tenantId: string, tokenHash: string): Promise<RefreshRow | undefined>;
}
