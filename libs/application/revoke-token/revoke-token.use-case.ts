import type { Client } from '@tessera/domain/token/client';
import type { TokenVerifier } from '@tessera/domain/token/token-verifier.port';
import type { Denylist } from '@tessera/domain/revocation/denylist.port';
import { hashRefreshSecret, looksLikeRefreshSecret } from '@tessera/domain/refresh/refresh-secret';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { AuditLog } from '../ports/audit-log.port';
import type { Metrics } from '../ports/metrics.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';
import type { TokenRecords } from '../tokens/token-records.port';
import type { RefreshLedger } from '../tokens/refresh-ledger.port';

/**
 * RFC 7009 revocation and family revocation. Revocation is keyed by jti; the token string is
 * only ever used to prove which jti (or family) the caller means.
 */
export class RevokeTokenUseCase {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly store: RefreshStore,
    private readonly denylist: Denylist,
    private readonly records: TokenRecords,
    private readonly metrics: Metrics,
    private readonly audit: AuditLog,
    /** Verifiers accept a token this long past `exp`: its denial must cover that too. */
    private readonly leewaySeconds: number,
    private readonly ledger: RefreshLedger,
    private readonly clock: Clock = systemClock,
  ) {}

  /** RFC 7009 §2.2: unknown, invalid or foreign tokens are not an error, and change nothing. */
  async revokePresented(token: string, client: Client, hint?: string): Promise<void> {
    const refreshFirst =
      hint === 'refresh_token' || (hint !== 'access_token' && looksLikeRefreshSecret(token));
    const attempts = refreshFirst
      ? [() => this.asRefresh(token, client), () => this.asAccess(token, client)]
      : [() => this.asAccess(token, client), () => this.asRefresh(token, client)];
    for (const attempt of attempts) if (await attempt()) return;
  }

  private async asRefresh(token: string, client: Client): Promise<boolean> {
    if (!looksLikeRefreshSecret(token)) return false;
    const hash = hashRefreshSecret(token);
    // Postgres first: this works while Redis is down.
    const row = await this.ledger.findByTokenHash(client.tenantId, hash);
    if (row) {
      if (row.clientId === client.id)
        await this.revokeFamily(row.tenantId, row.familyId, 'revoked_by_client', client.id);
      return true;
    }
    // Tokens issued before their hash was recorded are known to Redis only.
    const record = (await this.store.peek(hash))?.record;
    if (!record) return false;
    if (record.clientId !== client.id || record.tenantId !== client.tenantId) return true;
    await this.revokeFamily(record.tenantId, record.familyId, 'revoked_by_client', client.id);
    return true;
  }

  private async asAccess(token: string, client: Client): Promise<boolean> {
    const claims = await this.verifier.verify(token).catch(() => undefined);
    if (!claims) return false;
    if (claims.client_id !== client.id || claims.org !== client.tenantId) return true;
    await this.revokeByJti(
      claims.org,
      claims.jti,
      'revoked_by_client',
      client.id,
      new Date(claims.exp * 1000),
    );
    return true;
  }

  /** Denies one access token (or, for a refresh record, its whole family). */
  async revokeByJti(
    tenantId: string,
    jti: string,
    reason: string,
    actor: string,
    expiresAt?: Date,
  ): Promise<boolean> {
    const record = await this.records.get(tenantId, jti);
    if (record?.kind === 'refresh' && record.familyId) {
      await this.revokeFamily(tenantId, record.familyId, reason, actor);
      return true;
    }
    const until = expiresAt ?? record?.expiresAt;
    if (!until) return false;
    await this.denylist.deny([{ jti, tenantId, expiresAt: until, reason }]);
    await this.records.markRevoked(tenantId, { jtis: [jti] });
    this.metrics.revocation('access_token');
    await this.audit.record({
      tenantId,
      actor,
      action: 'token.revoke',
      target: jti,
      details: { reason },
    });
    return true;
  }

  /**
   * Every refresh token of the family stops working, and every access token it produced.
   * Postgres first, in one transaction (api_tokens, the denylist and the audit row: the
   * truth); then the broadcast and Redis. Safe to repeat: a repeat finishes whatever a failure left undone.
   */
  async revokeFamily(
    tenantId: string,
    familyId: string,
    reason: string,
    actor = 'tessera',
  ): Promise<void> {
    const acceptedSince = new Date(this.clock.now().getTime() - this.leewaySeconds * 1000);
    const { denied, newlyRevoked } = await this.ledger.revokeFamily(
      tenantId,
      familyId,
      reason,
      acceptedSince,
      {
        actor,
        action: reason === 'refresh_token_reuse' ? 'refresh.reuse_detected' : 'token.revoke',
      },
    );
    // The rows are committed; this feeds the replicas at once (the resync would, within
    // DENYLIST_SYNC_INTERVAL) and re-inserts nothing new.
    if (denied.length) await this.denylist.deny(denied).catch(() => undefined);
    await this.applyFamilyToStore(tenantId, familyId);
    if (reason === 'refresh_token_reuse') this.metrics.refreshReuseDetected();
    // Its audit row was written by the revoking transaction itself.
    if (newlyRevoked > 0) this.metrics.revocation('family');
  }

  /**
   * The last step of a family revocation: Redis' marker. With Redis down it waits; the
   * refresh grant refuses the family from Postgres meanwhile and calls this again when it
   * next meets one of its tokens.
   */
  private async applyFamilyToStore(tenantId: string, familyId: string): Promise<void> {
    try {
      await this.store.revokeFamily(tenantId, familyId);
    } catch (e) {
      if (!(e instanceof DomainError && e.code === 'temporarily_unavailable')) throw e;
    }
  }
}
