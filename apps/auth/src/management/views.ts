import type { TokenRecord } from '@tessera/application/tokens/token-records.port';
import type { ResourceServer } from '@tessera/domain/resource/resource-server';
import type { Tenant } from '@tessera/domain/tenant/tenant';
import type { Client } from '@tessera/domain/token/client';

/**
 * What the management API shows of each resource: ids and settings, never a secret hash.
 * Trusted issuers and mappings, shown alike by the CLI: manage-trusted-issuers/views.ts.
 */
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
