export interface TokenSettings {
  refreshTtl: number;
  /** Seconds during which parallel retries of one refresh token get the same successor pair. */
  refreshGrace: number;
  /** Seconds from a family's first token after which no member refreshes (no sliding forever). */
  refreshFamilyLifetime: number;
}
