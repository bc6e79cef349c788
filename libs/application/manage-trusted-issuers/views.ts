import type { ExchangeMapping } from '@tessera/domain/federation/exchange-mapping';
import type { TrustedIssuer } from '@tessera/domain/federation/trusted-issuer';

/** A trusted issuer as the management API and `issuer … --json` show it. */
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

/** An exchange mapping as the management API and `issuer mapping … --json` show it. */
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
