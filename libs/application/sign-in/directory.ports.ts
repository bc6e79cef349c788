import type { Role } from '@tessera/domain/tenant/membership';

/**
 * The slices of the tenancy repositories sign-in uses (bound to DI.Tenants, DI.Users and
 * DI.Memberships); structural so sign-in does not depend on the rest of those ports.
 */
export interface TenantsBySlug {
  bySlug(slug: string): Promise<{ id: string; slug: string; status: string } | null | undefined>;
}

export interface UserUpsert {
  upsert(
    issuer: string,
    subject: string,
    email: string | null,
    name: string | null,
  ): Promise<{ id: string }>;
}

export interface MembershipWriter {
  set(tenantId: string, userId: string, role: Role): Promise<unknown>;
}
