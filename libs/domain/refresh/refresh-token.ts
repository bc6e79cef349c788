/** What a refresh token stands for. The token itself is never stored, only its SHA-256. */
export interface RefreshRecord {
  tenantId: string;
  familyId: string;
  clientId: string;
  subject: string;
  role?: string;
  scopes: string[];
  /** The family's RFC 8707 resources: a refresh may ask for a subset of them. */
  resources?: string[];
  /** Access token issued with this refresh token: denied when the family is revoked. */
  accessJti: string;
  /** The refresh token's own record id (api_tokens.jti): never the token itself. */
  refreshJti: string;
  userId?: string;
  issuedAt: Date;
  expiresAt: Date;
  /** When the family began (its first token): REFRESH_FAMILY_LIFETIME counts from here. */
  familyStartedAt?: Date;
}

/**
 * The outcome of presenting a refresh token once.
 * - consumed: first use; the caller must issue the successor.
 * - replayed: used before. `successor` is the sealed pair handed out on first use, present
 *   only within the grace window (parallel retries get the same pair, not a fork).
 * - revoked: its family was revoked.
 * - unknown: never issued, or expired.
 */
export type ConsumeOutcome =
  | { kind: 'consumed'; record: RefreshRecord }
  | { kind: 'replayed'; record: RefreshRecord; consumedAt: Date; successor?: string }
  | { kind: 'revoked'; record: RefreshRecord }
  | { kind: 'unknown' };
