import type { Membership, Role } from '@tessera/domain/tenant/membership';
import type { TenantStatus } from '@tessera/domain/tenant/tenant';

export interface UserMembership extends Membership {
  tenantSlug: string;
  tenantStatus: TenantStatus;
}

export interface MembershipRepository {
  /** Creates or changes the role; throws `invalid_request` for an unknown tenant or user. */
  set(tenantId: string, userId: string, role: Role): Promise<Membership>;
  get(tenantId: string, userId: string): Promise<Membership | undefined>;
  /** Every tenant the user belongs to (a cross-tenant read, for choosing a tenant). */
  forUser(userId: string): Promise<UserMembership[]>;
}
