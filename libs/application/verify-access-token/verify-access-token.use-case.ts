import type { AccessClaims } from '@tessera/domain/token/access-claims';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import type { Denylist } from '@tessera/domain/revocation/denylist.port';
import { invalidToken, tokenRevoked } from '@tessera/domain/token/token.errors';
import type { Metrics } from '../ports/metrics.port';
import type { TenantStatusReader } from '../tokens/tenant-status.port';

/** Signature and claims, then the denylist (local replica), then the tenant's status. */
export class VerifyAccessToken implements TokenVerifier {
  constructor(
    private readonly signature: TokenVerifier,
    private readonly denylist: Denylist,
    private readonly tenants: TenantStatusReader,
    private readonly metrics: Metrics,
  ) {}

  async verify(token: string): Promise<AccessClaims> {
    const claims = await this.signature.verify(token);
    const denied = this.denylist.isDenied(claims.jti);
    this.metrics.denylistCache(denied ? 'hit' : 'miss');
    if (denied) throw tokenRevoked();
    if ((await this.tenants.status(claims.org)) !== 'active')
      throw invalidToken('the tenant is disabled');
    return claims;
  }
}
