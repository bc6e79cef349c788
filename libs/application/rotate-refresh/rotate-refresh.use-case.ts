import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Client } from '@tessera/domain/token/client';
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
import type { TokenRecords } from '../tokens/token-records.port';
import type { IssueTokenUseCase } from '../issue-token/issue-token.use-case';
import type { RevokeTokenUseCase } from '../revoke-token/revoke-token.use-case';
import {
  scopesForTargets,
  type ResolveResources,
  type Targets,
} from '../resource-servers/resolve-resources';

export interface RotateRefreshCommand {
  refreshToken: string;
  client: Client;
  /** Requested narrower scope (RFC 6749 §6); the family keeps its original scope. */
  scopes?: string[];
  /** Requested RFC 8707 resources: a subset of the family's (the family keeps them all). */
  resources?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long a parallel retry waits for the first caller to finish issuing the successor. */
const SUCCESSOR_WAIT_MS = 3000;

/**
 * grant_type=refresh_token: consume atomically, issue the successor in the same family. A
 * consumed token presented again within the grace window gets the same successor (parallel
 * retries never fork the family); after it, reuse revokes the whole family.
 */
export class RotateRefreshUseCase {
  constructor(
    private readonly store: RefreshStore,
    private readonly issue: IssueTokenUseCase,
    private readonly revoke: RevokeTokenUseCase,
    private readonly tenants: TenantStatusReader,
    private readonly records: TokenRecords,
    private readonly settings: TokenSettings,
    private readonly resources?: ResolveResources,
  ) {}

  async execute(cmd: RotateRefreshCommand): Promise<TokenResponse> {
    const hash = hashRefreshSecret(cmd.refreshToken);
    // Check the binding before consuming: a stranger's attempt must not burn the owner's token.
    const peeked = (await this.store.peek(hash))?.record;
    if (!peeked) throw refreshInvalid();
    if (peeked.clientId !== cmd.client.id || peeked.tenantId !== cmd.client.tenantId)
      throw refreshWrongClient();
    if ((await this.tenants.status(peeked.tenantId)) !== 'active') throw refreshInvalid();
    // Postgres is the truth for revocation: a family revoked while Redis lost its marker stays revoked.
    if ((await this.records.get(peeked.tenantId, peeked.refreshJti))?.revokedAt)
      throw refreshInvalid();
    const targets = await this.targets(peeked, cmd);
    const narrowed = this.narrow(peeked, cmd.scopes);
    const scopes = targets ? scopesForTargets(targets, cmd.scopes, narrowed) : narrowed;

    const outcome = await this.store.consume(hash);
    switch (outcome.kind) {
      case 'unknown':
      case 'revoked':
        throw refreshInvalid();
      case 'replayed':
        return this.replayed(
          cmd.refreshToken,
          hash,
          outcome.record,
          outcome.consumedAt,
          outcome.successor,
        );
      case 'consumed':
        return this.rotate(cmd.refreshToken, hash, outcome.record, scopes, targets);
    }
  }

  /** The family's resources, or the subset asked for; each still active and allowed. */
  private async targets(record: RefreshRecord, cmd: RotateRefreshCommand) {
    const family = record.resources ?? [];
    const asked = cmd.resources?.length ? cmd.resources : family;
    if (asked.some((r) => !family.includes(r))) {
      throw new DomainError('invalid_target', 'a refresh may ask only for the grant’s resources');
    }
    if (!asked.length || !this.resources) return undefined;
    return this.resources.execute(cmd.client, asked);
  }

  private narrow(record: RefreshRecord, requested?: string[]): string[] {
    if (!requested) return record.scopes;
    const extra = requested.filter((s) => !record.scopes.includes(s));
    if (extra.length)
      throw new DomainError(
        'invalid_scope',
        'the requested scope exceeds the scope originally granted',
      );
    return requested;
  }

  private async rotate(
    oldToken: string,
    hash: string,
    record: RefreshRecord,
    scopes: string[],
    targets?: Targets,
  ): Promise<TokenResponse> {
    const minted = await this.issue.execute({
      tenantId: record.tenantId,
      subject: record.subject,
      clientId: record.clientId,
      role: record.role,
      userId: record.userId,
      scopes,
      grant: 'refresh_token',
      withRefresh: true,
      familyId: record.familyId,
      familyScopes: record.scopes,
      ...(targets ? { audience: targets.audience } : {}),
      ...(record.resources ? { familyResources: record.resources } : {}),
    });
    const response: TokenResponse = {
      access_token: minted.access_token,
      token_type: 'Bearer',
      expires_in: minted.expires_in,
      ...(minted.scope ? { scope: minted.scope } : {}),
      refresh_token: minted.refresh_token,
    };
    const graceUntil = new Date(Date.now() + this.settings.refreshGrace * 1000);
    await this.store.attachSuccessor(hash, sealSuccessor(oldToken, response), graceUntil);
    return response;
  }

  private async replayed(
    oldToken: string,
    hash: string,
    record: RefreshRecord,
    consumedAt: Date,
    sealed?: string,
  ): Promise<TokenResponse> {
    const graceEnds = consumedAt.getTime() + this.settings.refreshGrace * 1000;
    if (Date.now() >= graceEnds) {
      await this.revoke.revokeFamily(record.tenantId, record.familyId, 'refresh_token_reuse');
      throw refreshReused();
    }
    // Inside the grace window: wait for the first caller's successor rather than forking.
    const deadline = Date.now() + SUCCESSOR_WAIT_MS;
    while (!sealed && Date.now() < deadline) {
      await sleep(20);
      const again = await this.store.consume(hash);
      if (again.kind === 'revoked') throw refreshInvalid();
      if (again.kind === 'replayed') sealed = again.successor;
    }
    const successor = sealed ? openSuccessor<TokenResponse>(oldToken, sealed) : undefined;
    if (!successor) throw refreshInvalid();
    return successor;
  }
}
