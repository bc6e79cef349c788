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
