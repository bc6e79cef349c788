import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Clock } from '@tessera/domain/shared/clock.port';
import type { Client } from '@tessera/domain/token/client';
import type { Role } from '@tessera/domain/tenant/membership';
import {
  hashRefreshSecret,
  openSuccessor,
  sealSuccessor,
} from '@tessera/domain/refresh/refresh-secret';
import {
  refreshInvalid,
  refreshReused,
  refreshWrongClient,
} from '@tessera/domain/refresh/refresh.errors';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { RefreshRecord } from '@tessera/domain/refresh/refresh-token';
import type { TokenResponse } from '../tokens/token-response';
import type { TokenSettings } from '../tokens/token-settings';
import type { TenantStatusReader } from '../tokens/tenant-status.port';
import type { RefreshLedger, RefreshState } from '../tokens/refresh-ledger.port';
import type { IssueTokenUseCase } from '../issue-token/issue-token.use-case';
import type { RevokeTokenUseCase } from '../revoke-token/revoke-token.use-case';
import { ROLE_SCOPES } from '../session/role-scopes';
import {
  scopesForTargets,
  type ResolveResources,
  type Targets,
} from '../resource-servers/resolve-resources';

const ROLE_GOVERNED = new Set(Object.values(ROLE_SCOPES).flat());

export interface RotateRefreshCommand {
  refreshToken: string;
  client: Client;
  /** Requested narrower scope (RFC 6749 §6); the family keeps its original scope. */
  scopes?: string[];
  /** Requested RFC 8707 resources: a subset of the family's (the family keeps them all). */
  resources?: string[];
}

/** The current role of a user in a tenant (undefined: no longer a member). */
export interface MembershipReader {
  get(tenantId: string, userId: string): Promise<{ role: Role } | undefined>;
}

/** What the old token's seal holds: the pair handed out, and how to make it presentable. */
interface SealedRotation {
  response: TokenResponse;
  successorHash: string;
  successor: RefreshRecord;
}

const revive = (r: RefreshRecord): RefreshRecord => ({
  ...r,
  issuedAt: new Date(r.issuedAt),
  expiresAt: new Date(r.expiresAt),
  ...(r.familyStartedAt ? { familyStartedAt: new Date(r.familyStartedAt) } : {}),
});

/**
 * grant_type=refresh_token. Postgres decides (docs/refresh-tokens.md): the successor is signed
 * first; one transaction then marks the old token consumed, keeps the successor sealed with
 * it and records the successor's rows; only then does Redis learn of it. A crash before that
 * commit leaves the old token live; after it, a retry inside the grace window — at any node —
 * gets the same sealed successor (and finishes the Redis writes); after the window, a second
 * presentation is reuse and revokes the family.
 */
export class RotateRefreshUseCase {
  constructor(
    private readonly store: RefreshStore,
    private readonly issue: IssueTokenUseCase,
    private readonly revoke: RevokeTokenUseCase,
    private readonly tenants: TenantStatusReader,
    private readonly ledger: RefreshLedger,
    private readonly memberships: MembershipReader,
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
    private readonly resources?: ResolveResources,
  ) {}

  async execute(cmd: RotateRefreshCommand): Promise<TokenResponse> {
    const hash = hashRefreshSecret(cmd.refreshToken);
    // Check the binding before anything else: a stranger's attempt must not burn the token.
    const peeked = await this.store.peek(hash);
    if (!peeked) throw refreshInvalid();
    const record = peeked.record;
    if (record.clientId !== cmd.client.id || record.tenantId !== cmd.client.tenantId)
      throw refreshWrongClient();
    if ((await this.tenants.status(record.tenantId)) !== 'active') throw refreshInvalid();
    if (peeked.state === 'revoked') {
      // Redis' marker may be all an older release wrote before failing (it wrote Redis first):
      // repeating the idempotent revocation makes Postgres and the denylist say so too.
      await this.revoke.revokeFamily(record.tenantId, record.familyId, 'family_revoked');
      throw refreshInvalid();
    }
    // Redis marks a token consumed only after Postgres did: a replay, no need to sign.
    if (peeked.state === 'consumed') return this.settled(cmd.refreshToken, hash, record);
    return this.rotate(cmd, hash, record);
  }

  /** The token is no longer live in Postgres: a replay, a reuse, or a revoked family. */
  private async settled(
    oldToken: string,
    hash: string,
    record: RefreshRecord,
  ): Promise<TokenResponse> {
    const state = await this.ledger.state(record.tenantId, record.refreshJti);
    if (!state) throw refreshInvalid();
    if (state.revoked) {
      // Postgres has it revoked and perhaps Redis does not yet: a revocation was cut short
      // (Redis down, a crash). Repeating it is safe and finishes it (denylist, Redis).
      await this.revoke.revokeFamily(record.tenantId, record.familyId, 'family_revoked');
      throw refreshInvalid();
    }
    if (!state.consumedAt) throw refreshInvalid();
    return this.replayed(oldToken, hash, record, state);
  }

  private async rotate(
    cmd: RotateRefreshCommand,
    hash: string,
    record: RefreshRecord,
  ): Promise<TokenResponse> {
    const familyStartedAt = record.familyStartedAt ?? record.issuedAt;
    const now = this.clock.now();
    if (now.getTime() >= familyStartedAt.getTime() + this.settings.refreshFamilyLifetime * 1000)
      throw new DomainError('invalid_grant', 'the refresh token family has reached its lifetime');
    const { role, familyScopes } = await this.currentPolicy(record, cmd.client);
    const targets = await this.targets(record, cmd);
    const narrowed = narrow(familyScopes, cmd.scopes);
    const scopes = targets ? scopesForTargets(targets, cmd.scopes, narrowed) : narrowed;
    const prepared = await this.issue.prepare({
      tenantId: record.tenantId,
      subject: record.subject,
      clientId: record.clientId,
      role,
      userId: record.userId,
      scopes,
      grant: 'refresh_token',
      withRefresh: true,
      familyId: record.familyId,
      familyScopes,
      familyStartedAt,
      ...(targets ? { audience: targets.audience } : {}),
      ...(record.resources ? { familyResources: record.resources } : {}),
    });
    const { minted, refresh } = prepared;
    const response: TokenResponse = {
      access_token: minted.access_token,
      token_type: 'Bearer',
      expires_in: minted.expires_in,
      ...(minted.scope ? { scope: minted.scope } : {}),
      refresh_token: minted.refresh_token,
    };
    const sealed: SealedRotation = {
      response,
      successorHash: refresh!.hash,
      successor: refresh!.record,
    };
    const sealedSuccessor = sealSuccessor(cmd.refreshToken, sealed);
    const won = await this.ledger.consume({
      tenantId: record.tenantId,
      familyId: record.familyId,
      refreshJti: record.refreshJti,
      consumedAt: now,
      sealedSuccessor,
      successorRows: prepared.rows,
    });
    // Lost: another caller (or node) rotated it first, or the family was revoked. What we
    // signed was never recorded and is dropped; Postgres says what the answer is.
    if (!won) return this.settled(cmd.refreshToken, hash, record);
    await this.finish(hash, sealed, now);
    this.issue.issued('refresh_token', prepared);
    return response;
  }

  private async replayed(
    oldToken: string,
    hash: string,
    record: RefreshRecord,
    state: RefreshState,
  ): Promise<TokenResponse> {
    const consumedAt = state.consumedAt!;
    const graceEnds = consumedAt.getTime() + this.settings.refreshGrace * 1000;
    if (this.clock.now().getTime() >= graceEnds) {
      await this.revoke.revokeFamily(record.tenantId, record.familyId, 'refresh_token_reuse');
      throw refreshReused();
    }
    const opened = state.sealedSuccessor
      ? openSuccessor<SealedRotation>(oldToken, state.sealedSuccessor)
      : undefined;
    if (!opened?.response || !opened.successor) throw refreshInvalid();
    const sealed = { ...opened, successor: revive(opened.successor) };
    // The first caller may have died before Redis learned of the successor: finish for it.
    await this.finish(hash, sealed, consumedAt);
    return opened.response;
  }

  private finish(hash: string, s: SealedRotation, consumedAt: Date) {
    return this.store.finishRotation({
      oldHash: hash,
      successorHash: s.successorHash,
      successor: s.successor,
      consumedAt,
    });
  }

  /** The family's resources, or the subset asked for; each still active and allowed. */
  private async targets(
    record: RefreshRecord,
    cmd: RotateRefreshCommand,
  ): Promise<Targets | undefined> {
    const family = record.resources ?? [];
    const asked = cmd.resources?.length ? cmd.resources : family;
    if (asked.some((r) => !family.includes(r))) {
      throw new DomainError('invalid_target', 'a refresh may ask only for the grant’s resources');
    }
    if (!asked.length || !this.resources) return undefined;
    return this.resources.execute(cmd.client, asked);
  }

  /**
   * The family never outgrows what is allowed today: the client's current registration and,
   * for a user's family, the user's current membership and role.
   */
  private async currentPolicy(
    record: RefreshRecord,
    client: Client,
  ): Promise<{ role?: string; familyScopes: string[] }> {
    let familyScopes = record.scopes.filter((s) => client.scopes.includes(s));
    let role = record.role;
    if (record.userId) {
      const membership = await this.memberships.get(record.tenantId, record.userId);
      if (!membership)
        throw new DomainError('invalid_grant', 'the user is no longer a member of this tenant');
      role = membership.role;
      // Scopes a role governs follow the role of today; the client's registration rules the rest.
      const allowed = ROLE_SCOPES[membership.role];
      familyScopes = familyScopes.filter((s) => !ROLE_GOVERNED.has(s) || allowed.includes(s));
    }
    return { role, familyScopes };
  }
}

function narrow(familyScopes: string[], requested?: string[]): string[] {
  if (!requested) return familyScopes;
  const extra = requested.filter((s) => !familyScopes.includes(s));
  if (extra.length)
    throw new DomainError(
      'invalid_scope',
      'the requested scope exceeds the scope originally granted',
    );
  return requested;
}
