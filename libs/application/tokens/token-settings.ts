export interface TokenSettings {
  refreshTtl: number;
  /** Seconds during which parallel retries of one refresh token get the same successor pair. */
  refreshGrace: number;
}
