/** How many token records there are, by state. live + revoked + expired = rows. */
export interface TokenRecordStats {
  rows: number;
  /** Unexpired and not revoked. */
  live: number;
  /** Revoked, not yet expired. */
  revoked: number;
  /** Past expiry (revoked or not). */
  expired: number;
  /** Past expiry plus the retention: what the next prune pass deletes. */
  prunable: number;
  access: number;
  refresh: number;
  oldestExpiresAt?: Date;
  /** Size of the whole table with its indexes and TOAST (every tenant). */
  tableBytes: number;
}

/** Keeps api_tokens bounded: every row past expiry plus the retention is deleted, by the database clock. */
export interface TokenRecordRetention {
  /** Deletes up to `limit` such rows (skipping rows another pruner holds); returns how many. */
  pruneBatch(retentionSeconds: number, limit: number): Promise<number>;
  /** One tenant's records, or every tenant's without `tenantId`. */
  stats(retentionSeconds: number, tenantId?: string): Promise<TokenRecordStats>;
}
