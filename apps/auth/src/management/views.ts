import type { ExchangeMapping } from '@tessera/domain/federation/exchange-mapping';
import type { TrustedIssuer } from '@tessera/domain/federation/trusted-issuer';
import type { TokenRecord } from '@tessera/application/tokens/token-records.port';
import type { ResourceServer } from '@tessera/domain/resource/resource-server';
import type { Tenant } from '@tessera/domain/tenant/tenant';
import type { Client } from '@tessera/domain/token/client';

/** What the management API shows of each resource: ids and settings, never a secret hash. */
export const tenantView = (t: Tenant) => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  status: t.status,
  created_at: t.createdAt.toISOString(),
});

export const clientView = (c: Client) => ({
  id: c.id,
  tenant_id: c.tenantId,
  name: c.name,
  grants: c.grants,
  scopes: c.scopes,
  resources: c.resources ?? [],
  status: c.status,
});

export const resourceServerView = (r: ResourceServer) => ({
  id: r.id,
  tenant_id: r.tenantId,
  identifier: r.identifier,
  scopes: r.scopes,
  client_id: r.clientId,
  status: r.status,
  created_at: r.createdAt.toISOString(),
});

export const tokenView = (r: TokenRecord) => ({
  jti: r.jti,
  kind: r.kind,
  subject: r.subject,
  client_id: r.clientId,
  scopes: r.scopes,
  created_via: r.createdVia,
  created_at: r.createdAt.toISOString(),
  expires_at: r.expiresAt.toISOString(),
  revoked_at: r.revokedAt ? r.revokedAt.toISOString() : null,
});

export const trustedIssuerView = (t: TrustedIssuer) => ({
  id: t.id,
  tenant_id: t.tenantId,
  issuer: t.issuer,
  jwks_uri: t.jwksUri,
  audience: t.audience,
  subject_prefix: t.subjectPrefix,
  allowed_scopes: t.allowedScopes,
  role: t.role,
  status: t.status,
  created_at: t.createdAt.toISOString(),
});

export const mappingView = (m: ExchangeMapping) => ({
  id: m.id,
  trusted_issuer_id: m.trustedIssuerId,
  priority: m.priority,
  match: m.match,
  scopes: m.scopes,
  role: m.role,
  claims: m.claims,
  resources: m.resources,
  created_at: m.createdAt.toISOString(),
});
