import type { PlatformTenant } from '@tessera/application/tenant/platform-tenant.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { newId } from '@tessera/domain/shared/ids';
import { PLATFORM_TENANT_SLUG } from '@tessera/domain/tenant/management-scopes';
import type { Tenant } from '@tessera/domain/tenant/tenant';
import { isTenantId } from '@tessera/domain/tenant/tenant-id';
import { toTenant } from '../postgres/repositories/typeorm-tenant-directory.adapter';
import type { TenantTransactions } from '../postgres/tenant-transaction';

interface Row {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'disabled';
  created_at: Date;
  platform: boolean;
}

const tenantOf = (r: Row): Tenant => toTenant({ ...r, createdAt: r.created_at });

/** `tenants.platform`: set only here, on the cross-tenant path the CLI takes. */
export class TypeOrmPlatformTenant implements PlatformTenant {
  /** The flag is never cleared, so a tenant once seen as the platform stays one. */
  private known?: string;

  constructor(private readonly tx: TenantTransactions) {}

  async ensure(): Promise<Tenant> {
    return this.tx.crossTenant('platform tenant', async (em) => {
      await em.query(
        `INSERT INTO tenants (id, slug, name, platform) VALUES ($1, $2, 'Tessera platform', true)
         ON CONFLICT DO NOTHING`,
        [newId('tenant'), PLATFORM_TENANT_SLUG],
      );
      const rows: Row[] = await em.query(`SELECT * FROM tenants WHERE slug = $1`, [
        PLATFORM_TENANT_SLUG,
      ]);
      const row = rows[0];
      if (!row?.platform) {
        throw new DomainError(
          'conflict',
          `the slug "${PLATFORM_TENANT_SLUG}" belongs to an ordinary tenant; rename it first`,
        );
      }
      return tenantOf(row);
    });
  }

  async isPlatform(tenantId: string): Promise<boolean> {
    if (this.known === tenantId) return true;
    if (!isTenantId(tenantId)) return false;
    const rows: { platform: boolean }[] = await this.tx.run(
      (em) => em.query(`SELECT platform FROM tenants WHERE id = $1`, [tenantId]),
      tenantId,
    );
    if (rows[0]?.platform) this.known = tenantId;
    return rows[0]?.platform === true;
  }
}
