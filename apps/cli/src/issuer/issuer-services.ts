import { ManageTrustedIssuers } from '@tessera/application/manage-trusted-issuers/manage-trusted-issuers.use-case';
import type { TrustedIssuer } from '@tessera/domain/federation/trusted-issuer';
import { TypeOrmTrustedIssuerRepository } from '@tessera/infrastructure/federation/typeorm-trusted-issuer-repository.adapter';
import { cliAuditLog } from '../wiring/cli-audit';
import { withCliDatabase } from '../wiring/cli-database';
import { tenantBySlug } from '../wiring/tenant-flag';

/** One command's database, the tenant named by --tenant, and the trusted-issuer use case. */
export function withTrustedIssuers<T>(
  slug: string | undefined,
  fn: (issuers: ManageTrustedIssuers, tenantId: string) => Promise<T>,
): Promise<T> {
  return withCliDatabase(async (db) => {
    const tenant = await tenantBySlug(db, slug);
    const issuers = new ManageTrustedIssuers(
      new TypeOrmTrustedIssuerRepository(db.dataSource),
      cliAuditLog(db),
      { production: db.cfg.production, ownIssuer: db.cfg.issuer },
    );
    return fn(issuers, tenant.id);
  });
}

/** The JSON shape of a trusted issuer in CLI output. */
export const issuerJson = (t: TrustedIssuer) => ({
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
