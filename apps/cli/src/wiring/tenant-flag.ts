import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Tenant } from '@tessera/domain/tenant/tenant';
import type { CliDatabase } from './cli-database';

/** `--tenant <slug>` resolved once, at the edge of the command. */
export async function tenantBySlug(db: CliDatabase, slug: string | undefined): Promise<Tenant> {
  if (!slug) throw new DomainError('invalid_request', '--tenant <slug> is required');
  const t = await db.tenants.bySlug(slug);
  if (!t) throw new DomainError('invalid_request', `unknown tenant "${slug.slice(0, 64)}"`);
  return t;
}
