import type { Tenant, TenantStatus } from '@tessera/domain/tenant/tenant';

/**
 * Tenants by id or slug. Lookups by slug and listing cross tenants (the slug arrives before a
 * tenant is known); by id a tenant reads only its own row. Bad input throws DomainError.
 */
export interface TenantDirectory {
  /** Throws `invalid_request` (bad slug or name) or `conflict` (slug taken). */
  create(slug: string, name?: string): Promise<Tenant>;
  bySlug(slug: string): Promise<Tenant | undefined>;
  byId(id: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
  /** Idempotent; throws `invalid_request` for an unknown slug. */
  disable(slug: string): Promise<Tenant>;
  status(id: string): Promise<TenantStatus | undefined>;
}
