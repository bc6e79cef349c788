import type { RefreshRecord } from './refresh-token';

export interface FinishedRotation {
  oldHash: string;
  successorHash: string;
  successor: RefreshRecord;
  consumedAt: Date;
}

/** A record and where it stands, without changing it. Expired or never-issued → undefined. */
export interface PeekResult {
  state: 'live' | 'consumed' | 'revoked';
  record: RefreshRecord;
}

/**
 * Opaque refresh tokens by hash: the fast index in front of Postgres, which decides every
 * consumption (the refresh ledger); the store learns of a rotation only once it committed.
 */
export interface RefreshStore {
  save(tokenHash: string, record: RefreshRecord): Promise<void>;
  /**
   * Once Postgres has recorded a rotation: saves the successor and marks the old token
   * consumed (the sealed successor stays in Postgres alone). Idempotent; throws
   * `invalid_grant` when the family is revoked.
   */
  finishRotation(input: FinishedRotation): Promise<void>;
  /** Marks the family revoked; returns every access jti it produced so they can be denied. */
  revokeFamily(tenantId: string, familyId: string): Promise<string[]>;
  /** Looks up without consuming (binding checks, revocation, introspection). */
  peek(tokenHash: string): Promise<PeekResult | undefined>;
}
