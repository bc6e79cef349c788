import { DomainError } from '@tessera/domain/shared/domain-error';
import { PLATFORM_TENANT_SLUG } from '@tessera/domain/tenant/management-scopes';
import type { Tenant } from '@tessera/domain/tenant/tenant';
import type { AuditLog } from '../ports/audit-log.port';
import type { PlatformTenant } from './platform-tenant.port';
import type { TenantDirectory } from './tenant-directory.port';

const unknownTenant = () => new DomainError('not_found', 'no such tenant');

/**
 * Tenants as the platform manages them: created and disabled with an audit event in the new
 * (or disabled) tenant's trail, naming the actor. The platform tenant itself is not managed here.
 */
export class ManageTenants {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly platform: PlatformTenant,
    private readonly audit: AuditLog,
  ) {}

  async create(slug: string, name: string | undefined, actor: string): Promise<Tenant> {
    if (slug === PLATFORM_TENANT_SLUG) {
      throw new DomainError('conflict', `the slug "${PLATFORM_TENANT_SLUG}" is reserved`);
    }
    const tenant = await this.tenants.create(slug, name ?? slug);
    await this.audit.record({
      tenantId: tenant.id,
      actor,
      action: 'tenant.create',
      target: tenant.id,
      details: { slug: tenant.slug },
    });
    return tenant;
  }

  async get(id: string): Promise<Tenant> {
    return (await this.tenants.byId(id)) ?? Promise.reject(unknownTenant());
  }

  list(): Promise<Tenant[]> {
    return this.tenants.list();
  }

  async disable(id: string, actor: string): Promise<Tenant> {
    const tenant = await this.get(id);
    if (await this.platform.isPlatform(tenant.id)) {
      throw new DomainError('invalid_request', 'the platform tenant cannot be disabled here');
    }
    const disabled = await this.tenants.disable(tenant.slug);
    await this.audit.record({ tenantId: tenant.id, actor, action: 'tenant.disable', target: id });
    return disabled;
  }
}
