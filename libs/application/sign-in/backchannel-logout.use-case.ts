import { createHash } from 'node:crypto';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { AuditLog } from '../ports/audit-log.port';
import type { SessionStore } from '../session/session-store.port';
import type { IdentityProvider } from './identity-provider.port';
import type { ReplayGuard } from './logout-token.port';

export interface BackchannelLogoutSettings {
  /** Seconds a logout token's `jti` is remembered: at least its `iat` window plus skew. */
  replayTtlSeconds: number;
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * POST /auth/backchannel-logout (OpenID Connect Back-Channel Logout 1.0). The token is fully
 * verified before its `jti` is spent, so junk cannot burn a real token's id; the `jti` is
 * spent before any session ends, so a replay ends nothing. If ending fails, the `jti` is
 * released again so the IdP's retry of the same token succeeds.
 */
export class BackchannelLogoutUseCase {
  constructor(
    private readonly idp: IdentityProvider,
    private readonly sessions: SessionStore,
    private readonly replay: ReplayGuard,
    private readonly settings: BackchannelLogoutSettings,
    private readonly audit?: AuditLog,
  ) {}

  async execute(input: { logoutToken: unknown }): Promise<{ ended: number }> {
    const token = input.logoutToken;
    if (typeof token !== 'string' || token === '') {
      throw new DomainError('invalid_request', 'logout_token is required, once');
    }
    const claims = await this.idp.verifyLogoutToken(token);
    const key = `bcl:${hash(claims.issuer)}:${hash(claims.jti)}`;
    if (!(await this.replay.firstUse(key, this.settings.replayTtlSeconds))) {
      throw new DomainError('invalid_request', 'invalid logout token: already used (jti)');
    }
    let ended: { tenantId: string; userId: string }[];
    try {
      ended = await this.sessions.endIdpSessions(claims.issuer, {
        sid: claims.sid,
        subject: claims.subject,
      });
    } catch (e) {
      await this.replay.forget(key).catch(() => undefined);
      throw e;
    }
    for (const s of ended) {
      await this.audit
        ?.record({
          tenantId: s.tenantId,
          actor: s.userId,
          action: 'sign_out',
          details: { via: 'backchannel_logout' },
        })
        .catch(() => undefined);
    }
    return { ended: ended.length };
  }
}
