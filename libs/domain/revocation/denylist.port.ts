/** A revoked access token, by jti (never by the token string), denied until it would expire. */
export interface DenylistEntry {
  jti: string;
  tenantId: string;
  expiresAt: Date;
  reason: string;
}

/**
 * Postgres is the truth; every node keeps a local replica of the unexpired entries, updated at
 * once by a broadcast (Redis pub/sub, or Postgres LISTEN/NOTIFY without Redis) and resynced
 * from Postgres after a reconnect and on a short interval, so a lost message costs seconds,
 * never a revocation.
 */
export interface Denylist {
  /** Persists first (fails the caller if the truth was not written), then broadcasts. */
  deny(entries: readonly DenylistEntry[]): Promise<void>;
  /** The per-request check: local, no I/O. */
  isDenied(jti: string): boolean;
  /** Deletes entries past expiry plus the leeway (by the database clock); returns how many. */
  prune(): Promise<number>;
}
