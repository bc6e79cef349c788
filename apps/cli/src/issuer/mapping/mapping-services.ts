import { ManageExchangeMappings } from '@tessera/application/manage-trusted-issuers/manage-exchange-mappings.use-case';
import type { ExchangeMapping } from '@tessera/domain/federation/exchange-mapping';
import { TypeOrmExchangeMappingRepository } from '@tessera/infrastructure/federation/typeorm-exchange-mapping-repository.adapter';
import { cliAuditLog } from '../../wiring/cli-audit';
import { withCliDatabase } from '../../wiring/cli-database';
import { tenantBySlug } from '../../wiring/tenant-flag';

/** One command's database, the tenant named by --tenant, and the exchange-mapping use case. */
export function withExchangeMappings<T>(
  slug: string | undefined,
  fn: (mappings: ManageExchangeMappings, tenantId: string) => Promise<T>,
): Promise<T> {
  return withCliDatabase(async (db) => {
    const tenant = await tenantBySlug(db, slug);
    const mappings = new ManageExchangeMappings(
      new TypeOrmExchangeMappingRepository(db.dataSource),
      cliAuditLog(db),
      db.cfg.exchange.claimNames,
    );
    return fn(mappings, tenant.id);
  });
}

/** The JSON shape of an exchange mapping (CLI and management API alike). */
export const mappingJson = (m: ExchangeMapping) => ({
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
