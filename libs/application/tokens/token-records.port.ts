import type { GrantLabel } from '../ports/metrics.port';

/** Metadata of an issued token (never the token): what listing, auditing and revocation need. */
export interface TokenRecord {
  jti: string;
  tenantId: string;
  kind: 'access' | 'refresh';
  subject: string;
  clientId: string;
  userId?: string;
  name?: string;
  scopes: string[];
  familyId?: string;
  createdVia: GrantLabel;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
  /** Refresh rows: SHA-256 of the token, so a revocation can find it without Redis. */
  tokenHash?: string;
}

export interface TokenRecords {
  record(rows: readonly TokenRecord[]): Promise<void>;
  get(tenantId: string, jti: string): Promise<TokenRecord | undefined>;
  list(
    tenantId: string,
    filter: { userId?: string; subject?: string; clientId?: string; limit?: number },
  ): Promise<TokenRecord[]>;
  /** Marks records revoked; returns those that were not revoked before. */
  markRevoked(
    tenantId: string,
    by: { jtis?: readonly string[]; familyId?: string },
  ): Promise<Pick<TokenRecord, 'jti' | 'kind' | 'expiresAt' | 'familyId'>[]>;
}
