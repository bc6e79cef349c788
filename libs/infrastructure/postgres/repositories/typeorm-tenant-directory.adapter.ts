import type { TenantDirectory } from '@tessera/application/tenant/tenant-directory.port';
import { newId } from '@tessera/domain/shared/ids';
import { isTenantName, type Tenant, type TenantStatus } from '@tessera/domain/tenant/tenant';
import { isTenantId, isTenantSlug, type TenantId } from '@tessera/domain/tenant/tenant-id';
import {
  badSlug,
  badTenantName,
  duplicateSlug,
  unknownTenant,
} from '@tessera/domain/tenant/tenant.errors';
import { TenantEntity } from '../entities/tenant.entity';
import { pgError, UNIQUE_VIOLATION } from '../pg-errors';
import type { TenantTransactions } from '../tenant-transaction';

/** A tenants row as the domain sees it (the entity, or a raw row with `createdAt`). */
export const toTenant = (
  e: Pick<TenantEntity, 'id' | 'slug' | 'name' | 'status' | 'createdAt'>,
): Tenant => ({
  id: e.id as TenantId,
  slug: e.slug,
  name: e.name,
  status: e.status,
  createdAt: e.createdAt,
});

/** By id a tenant reads only its own row; slug lookups and listing are cross-tenant. */
export class TypeOrmTenantDirectory implements TenantDirectory {
  constructor(private readonly tx: TenantTransactions) {}

  async create(slug: string, name: string = slug): Promise<Tenant> {
    if (!isTenantSlug(slug)) throw badSlug();
    if (!isTenantName(name)) throw badTenantName();
    const row = { id: newId('tenant'), slug, name: name.trim(), status: 'active' as const };
    try {
      return await this.tx.crossTenant('tenant create', async (em) => {
        const repo = em.getRepository(TenantEntity);
        await repo.insert(row);
        return toTenant(await repo.findOneByOrFail({ id: row.id }));
      });
    } catch (e) {
      if (pgError(e).code === UNIQUE_VIOLATION) throw duplicateSlug(slug);
      throw e;
    }
  }

  async bySlug(slug: string): Promise<Tenant | undefined> {
    if (!isTenantSlug(slug)) return undefined;
    const row = await this.tx.crossTenant('tenant by slug', (em) =>
      em.getRepository(TenantEntity).findOneBy({ slug }),
    );
    return row ? toTenant(row) : undefined;
  }

  async byId(id: string): Promise<Tenant | undefined> {
    if (!isTenantId(id)) return undefined;
    const row = await this.tx.run((em) => em.getRepository(TenantEntity).findOneBy({ id }), id);
    return row ? toTenant(row) : undefined;
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.tx.crossTenant('tenant list', (em) =>
      em.getRepository(TenantEntity).find({ order: { createdAt: 'ASC', slug: 'ASC' } }),
    );
    return rows.map(toTenant);
  }

  async disable(slug: string): Promise<Tenant> {
    if (!isTenantSlug(slug)) throw badSlug();
    const row = await this.tx.crossTenant('tenant disable', async (em) => {
      const repo = em.getRepository(TenantEntity);
      await repo.update({ slug }, { status: 'disabled' });
      return repo.findOneBy({ slug });
    });
    if (!row) throw unknownTenant();
    return toTenant(row);
  }

  async status(id: string): Promise<TenantStatus | undefined> {
    return (await this.byId(id))?.status;
  }
}
