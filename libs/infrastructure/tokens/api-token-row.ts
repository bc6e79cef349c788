import type { TokenRecord } from '@tessera/application/tokens/token-records.port';

/** api_tokens columns a new record fills, in the order of `apiTokenParams`. */
export const API_TOKEN_COLUMNS =
  'jti, tenant_id, kind, subject, client_id, user_id, name, scopes, family_id, created_via, created_at, expires_at, token_hash';

/** One record's bind parameters, in the order of API_TOKEN_COLUMNS. */
export const apiTokenParams = (r: TokenRecord): unknown[] => [
  r.jti,
  r.tenantId,
  r.kind,
  r.subject,
  r.clientId,
  r.userId ?? null,
  r.name ?? null,
  r.scopes,
  r.familyId ?? null,
  r.createdVia,
  r.createdAt,
  r.expiresAt,
  r.tokenHash ?? null,
];
