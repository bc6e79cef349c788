import type { Client } from '@tessera/domain/token/client';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import { hashRefreshSecret, looksLikeRefreshSecret } from '@tessera/domain/refresh/refresh-secret';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import { formatScope, type AccessClaims } from '@tessera/domain/token/access-claims';
import { audiences } from '@tessera/domain/resource/resource-server';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';
import type { TenantStatusReader } from '../tokens/tenant-status.port';
import type { TokenRecords } from '../tokens/token-records.port';

export type Introspection = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: Introspection = { active: false };

/**
 * RFC 7662. A client learns about tokens issued to itself in its own tenant; a resource server
 * (RFC 7662 §4) also about its tenant's tokens whose `aud` names it. Anything else (foreign,
 * revoked, expired, malformed) is `{"active": false}` and nothing more.
 */
export class IntrospectTokenUseCase {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly store: RefreshStore,
    private readonly tenants: TenantStatusReader,
    private readonly records: TokenRecords,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The hint is not consulted: the token's shape tells the kinds apart (RFC 7662 §2.1). */
  async execute(token: string, client: Client): Promise<Introspection> {
    if (looksLikeRefreshSecret(token)) return this.refresh(token, client);
    const claims = await this.verifier.verify(token).catch(() => undefined);
    if (!claims || claims.org !== client.tenantId || !mayLearn(claims, client)) return INACTIVE;
    return { active: true, token_type: 'Bearer', ...claims };
  }

  private async refresh(token: string, client: Client): Promise<Introspection> {
    const peeked = await this.store.peek(hashRefreshSecret(token));
    if (peeked?.state !== 'live') return INACTIVE;
    const r = peeked.record;
    if (r.clientId !== client.id || r.tenantId !== client.tenantId) return INACTIVE;
    if (r.expiresAt.getTime() <= this.clock.now().getTime()) return INACTIVE;
    if ((await this.tenants.status(r.tenantId)) !== 'active') return INACTIVE;
    // The same checks as the refresh grant: Postgres is the truth for family revocation.
    if ((await this.records.get(r.tenantId, r.refreshJti))?.revokedAt) return INACTIVE;
    return {
      active: true,
      token_type: 'refresh_token',
      client_id: r.clientId,
      sub: r.subject,
      org: r.tenantId,
      scope: formatScope(r.scopes),
      exp: Math.floor(r.expiresAt.getTime() / 1000),
      iat: Math.floor(r.issuedAt.getTime() / 1000),
    };
  }
}

function mayLearn(claims: AccessClaims, client: Client): boolean {
  if (claims.client_id === client.id) return true;
  const own = client.resourceServer?.identifier;
  return own !== undefined && audiences(claims.aud).includes(own);
}
