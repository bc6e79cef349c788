import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Tenant } from '@tessera/domain/tenant/tenant';
import { withCliDatabase, type CliDatabase } from './cli-database';

/** `--tenant <slug>` resolved once, at the edge of the command. */
export async function tenantBySlug(db: CliDatabase, slug: string | undefined): Promise<Tenant> {
  if (!slug) throw new DomainError('invalid_request', '--tenant <slug> is required');
  const t = await db.tenants.bySlug(slug);
  if (!t) throw new DomainError('invalid_request', `unknown tenant "${slug.slice(0, 64)}"`);
  return t;
}

/** `fn` given the id of the tenant `--tenant` names, resolved first: for `with…` wirings. */
export const forTenant =
  <S extends CliDatabase, T>(
    slug: string | undefined,
    fn: (s: S, tenantId: string) => Promise<T>,
  ) =>
  async (s: S): Promise<T> =>
    fn(s, (await tenantBySlug(s, slug)).id);

/** `with…(slug, fn)`: one command's database, its --tenant, and the use case `build` makes. */
export const withTenantUseCase =
  <U>(build: (db: CliDatabase) => U) =>
  <T>(slug: string | undefined, fn: (useCase: U, tenantId: string) => Promise<T>): Promise<T> =>
    withCliDatabase(forTenant(slug, (db, tenantId) => fn(build(db), tenantId)));
