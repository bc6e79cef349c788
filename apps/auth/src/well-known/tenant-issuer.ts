import { DomainError } from '@tessera/domain/shared/domain-error';
import type { TenantIssuer, TenantKeys } from '@tessera/infrastructure/crypto/tenant-keys';

/** The tenant issuer a well-known path names; 404 in platform mode or for an unknown slug. */
export async function tenantIssuer(keys: TenantKeys | null, slug: string): Promise<TenantIssuer> {
  const t = keys ? await keys.forSlug(slug) : undefined;
  if (!t) throw new DomainError('not_found', 'no such issuer');
  return t;
}
