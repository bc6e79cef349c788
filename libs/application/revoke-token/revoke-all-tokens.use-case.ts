import type { Denylist } from '@tessera/domain/revocation/denylist.port';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { systemClock, type Clock } from '@tessera/domain/shared/clock.port';
import type { Metrics } from '../ports/metrics.port';
import type { Principal, PrincipalRevocations } from './principal-revocations.port';

export type { Principal } from './principal-revocations.port';

export interface RevokeAllResult {
  /** Tokens issued at or before this instant are revoked (the event's cut-off). */
  issuedBefore: Date;
  accessTokensDenied: number;
  familiesRevoked: number;
}

/**
 * "Revoke every token of a client / of a subject, issued before now": for an operator (CLI
 * `token revoke --client|--subject`) and the management API alike. Postgres first, in one
 * transaction with the client-revoked / subject-revoked event, so resource servers on the feed
 * refuse by cut-off even tokens Tessera has not recorded yet, and with its audit row (a crash
 * after the commit loses neither); then the denylist broadcast and
 * the refresh families' Redis markers, both safe to lose (resync, and the refresh grant reads
 * Postgres).
 */
export class RevokeAllTokensUseCase {
  constructor(
    private readonly store: PrincipalRevocations,
    private readonly refresh: RefreshStore,
    private readonly denylist: Denylist,
    private readonly metrics: Metrics,
    /** Verifiers accept a token this long past `exp`: its denial must cover that too. */
    private readonly leewaySeconds: number,
    /** The longest access-token lifetime: how long the cut-off must be remembered. */
    private readonly maxAccessTtlSeconds: number,
    private readonly clock: Clock = systemClock,
  ) {}

  ofClient(tenantId: string, clientId: string, actor: string, reason = 'revoked_by_operator') {
    return this.revoke(tenantId, { kind: 'client', clientId }, actor, reason);
  }

  ofSubject(tenantId: string, sub: string, actor: string, reason = 'revoked_by_operator') {
    return this.revoke(tenantId, { kind: 'subject', sub }, actor, reason);
  }

  async revoke(
    tenantId: string,
    principal: Principal,
    actor: string,
    reason: string,
  ): Promise<RevokeAllResult> {
    const target = principal.kind === 'client' ? principal.clientId : principal.sub;
    if (typeof target !== 'string' || target.length < 1 || target.length > 255) {
      throw new DomainError('invalid_request', `a ${principal.kind} is 1 to 255 characters`);
    }
    const now = this.clock.now();
    const ms = now.getTime();
    const result = await this.store.revokeAll({
      tenantId,
      principal,
      issuedBefore: now,
      acceptedSince: new Date(ms - this.leewaySeconds * 1000),
      keepEventUntil: new Date(ms + (this.maxAccessTtlSeconds + this.leewaySeconds) * 1000),
      reason,
      actor,
    });
    // Committed; these only hurry what the resync and the refresh grant would do anyway.
    if (result.denied.length) await this.denylist.deny(result.denied).catch(() => undefined);
    for (const familyId of result.families) {
      await this.refresh.revokeFamily(tenantId, familyId).catch(() => undefined);
    }
    this.metrics.revocation(principal.kind === 'client' ? 'client' : 'subject');
    return {
      issuedBefore: now,
      accessTokensDenied: result.denied.length,
      familiesRevoked: result.families.length,
    };
  }
}
