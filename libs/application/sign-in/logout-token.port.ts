/** What a verified OpenID Connect Back-Channel Logout token names (spec §2.4). */
export interface LogoutClaims {
  issuer: string;
  jti: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  sid?: string;
  subject?: string;
}

/**
 * Remembers one-time values across every node: `firstUse` is true once per key until the TTL
 * (seconds) passes, false for every repeat. `forget` undoes it when the work it guarded failed.
 */
export interface ReplayGuard {
  firstUse(key: string, ttlSeconds: number): Promise<boolean>;
  forget(key: string): Promise<void>;
}
