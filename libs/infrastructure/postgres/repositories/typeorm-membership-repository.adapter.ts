import type {
  MembershipRepository,
  UserMembership,
} from '@tessera/application/tenant/membership-repository.port';
import { isId, newId } from '@tessera/domain/shared/ids';
import { isRole, type Membership, type Role } from '@tessera/domain/tenant/membership';
import type { TenantStatus } from '@tessera/domain/tenant/tenant';
import { isTenantId } from '@tessera/domain/tenant/tenant-id';
import { badRole, unknownTenant, unknownUser } from '@tessera/domain/tenant/tenant.errors';
import { FOREIGN_KEY_VIOLATION, pgError } from '../pg-errors';
import type { TenantTransactions } from '../tenant-transaction';

interface Row {
  tenant_id: string;
  user_id: string;
  role: Role;
}

const toMembership = (r: Row): Membership => ({
  tenantId: r.tenant_id,
  userId: r.user_id,
  role: r.role,
});

export class TypeOrmMembershipRepository implements MembershipRepository {
  constructor(private readonly tx: TenantTransactions) {}

  async set(tenantId: string, userId: string, role: Role): Promise<Membership> {
    if (!isTenantId(tenantId)) throw unknownTenant();
    if (!isId('user', userId)) throw unknownUser();
    if (!isRole(role)) throw badRole();
    try {
      const rows = await this.tx.run(
        (em) =>
          em.query(
            `INSERT INTO tessera.memberships (id, tenant_id, user_id, role)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role
             RETURNING tenant_id, user_id, role`,
            [newMembershipId(), tenantId, userId, role],
          ) as Promise<Row[]>,
        tenantId,
      );
      return toMembership(rows[0]!);
    } catch (e) {
      const { code, constraint } = pgError(e);
      if (code === FOREIGN_KEY_VIOLATION) {
        throw constraint?.includes('tenant') ? unknownTenant() : unknownUser();
      }
      throw e;
    }
  }

  async get(tenantId: string, userId: string): Promise<Membership | undefined> {
    if (!isTenantId(tenantId) || !isId('user', userId)) return undefined;
    const rows = await this.tx.run(
      (em) =>
        em.query(
          `SELECT tenant_id, user_id, role FROM tessera.memberships
            WHERE tenant_id = $1 AND user_id = $2`,
          [tenantId, userId],
        ) as Promise<Row[]>,
      tenantId,
    );
    return rows[0] ? toMembership(rows[0]) : undefined;
  }

  async forUser(userId: string): Promise<UserMembership[]> {
    if (!isId('user', userId)) return [];
    const rows = await this.tx.crossTenant(
      'memberships of a user',
      (em) =>
        em.query(
          `SELECT m.tenant_id, m.user_id, m.role, t.slug, t.status
             FROM tessera.memberships m JOIN tessera.tenants t ON t.id = m.tenant_id
            WHERE m.user_id = $1 ORDER BY t.slug`,
          [userId],
        ) as Promise<(Row & { slug: string; status: TenantStatus })[]>,
    );
    return rows.map((r) => ({ ...toMembership(r), tenantSlug: r.slug, tenantStatus: r.status }));
  }
}

const newMembershipId = () => newId('membership');
