import type { Tenant } from '@tessera/domain/tenant/tenant';

/** The one tenant whose clients may hold `tessera:platform`. */
export interface PlatformTenant {
  /** Creates it on first use; `conflict` if its slug belongs to an ordinary tenant. */
  ensure(): Promise<Tenant>;
  isPlatform(tenantId: string): Promise<boolean>;
}
