import { isTenantSlug } from '@tessera/domain/tenant/tenant-id';
import { badSlug, tenantDisabled, unknownTenant } from '@tessera/domain/tenant/tenant.errors';
import type { SessionStore } from '../session/session-store.port';
import type { TenantsBySlug } from './directory.ports';
import type { IdentityProvider } from './identity-provider.port';
import { safeReturnTo } from './return-to';
import { signInNotConfigured } from './sign-in.errors';

/** GET /auth/login: checks the request, remembers it server-side, sends the browser upstream. */
export class StartLoginUseCase {
  constructor(
    private readonly idp: IdentityProvider,
    private readonly sessions: SessionStore,
    private readonly tenants: TenantsBySlug,
  ) {}

  async execute(input: {
    tenant: unknown;
    returnTo: unknown;
  }): Promise<{ redirectTo: string; pendingId: string }> {
    if (!this.idp.configured) throw signInNotConfigured();
    if (!isTenantSlug(input.tenant)) throw badSlug();
    const returnTo = safeReturnTo(input.returnTo);
    const tenant = await this.tenants.bySlug(input.tenant);
    if (!tenant) throw unknownTenant();
    if (tenant.status !== 'active') throw tenantDisabled();
    const req = await this.idp.beginLogin();
    const pendingId = await this.sessions.savePending({
      tenantSlug: tenant.slug,
      returnTo,
      state: req.state,
      nonce: req.nonce,
      codeVerifier: req.codeVerifier,
      createdAt: Date.now(),
    });
    return { redirectTo: req.url, pendingId };
  }
}
