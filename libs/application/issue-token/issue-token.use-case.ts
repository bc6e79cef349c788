import { newId } from '@tessera/domain/shared/ids';
import { formatScope } from '@tessera/domain/token/access-claims';
import type { AccessGrant, TokenIssuer } from '@tessera/domain/token/token-issuer';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { newRefreshSecret } from '@tessera/domain/refresh/refresh-secret';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
import type { RefreshRecord } from '@tessera/domain/refresh/refresh-token';
import type { GrantLabel, Metrics } from '../ports/metrics.port';
import type { TokenRecord, TokenRecords } from '../tokens/token-records.port';
import type { MintedTokens } from '../tokens/token-response';
import type { TokenSettings } from '../tokens/token-settings';

export interface IssueTokenCommand extends AccessGrant {
  grant: GrantLabel;
  withRefresh: boolean;
  /** Label shown in token lists (session-minted API tokens). */
  name?: string;
  userId?: string;
  /** Continue an existing refresh family (rotation) instead of starting one. */
  familyId?: string;
  /** The family's scope, kept by the successor refresh token even when access narrows. */
  familyScopes?: readonly string[];
  /** When the continued family began: no member outlives REFRESH_FAMILY_LIFETIME from it. */
  familyStartedAt?: Date;
  /** The family's resources (RFC 8707), kept by the successor even when access narrows. */
  familyResources?: readonly string[];
}

/** Signed and ready, but not yet recorded anywhere: nobody has seen these tokens. */
export interface PreparedTokens {
  minted: MintedTokens;
  alg: SigningAlg;
  rows: TokenRecord[];
  refresh?: { hash: string; record: RefreshRecord };
}

/**
 * Signs an access token, optionally creates its refresh token, and records both before the
 * caller sees them: a token that was handed out always has a row to list and revoke by.
 */
export class IssueTokenUseCase {
  constructor(
    private readonly issuer: TokenIssuer,
    private readonly refresh: RefreshStore,
    private readonly records: TokenRecords,
    private readonly metrics: Metrics,
    private readonly settings: TokenSettings,
  ) {}

  async execute(cmd: IssueTokenCommand): Promise<MintedTokens> {
    const prepared = await this.prepare(cmd);
    await this.records.record(prepared.rows);
    if (prepared.refresh) await this.refresh.save(prepared.refresh.hash, prepared.refresh.record);
    this.issued(cmd.grant, prepared);
    return prepared.minted;
  }

  /** Signs and builds the rows; the caller records them (rotation: in its own transaction). */
  async prepare(cmd: IssueTokenCommand): Promise<PreparedTokens> {
    const started = process.hrtime.bigint();
    const access = await this.issuer.issueAccess(cmd);
    this.metrics.signDuration(access.alg, Number(process.hrtime.bigint() - started) / 1e9);
    const now = new Date(access.claims.iat * 1000);
    const base = {
      tenantId: cmd.tenantId,
      subject: cmd.subject,
      clientId: cmd.clientId,
      userId: cmd.userId,
      name: cmd.name,
      scopes: [...cmd.scopes],
      createdVia: cmd.grant,
      createdAt: now,
    };
    const rows: TokenRecord[] = [
      {
        ...base,
        jti: access.jti,
        kind: 'access',
        expiresAt: access.expiresAt,
        familyId: cmd.familyId,
      },
    ];
    let refresh: PreparedTokens['refresh'];
    let token: string | undefined;
    if (cmd.withRefresh) {
      const familyId = cmd.familyId ?? newId('family');
      rows[0]!.familyId = familyId;
      const secret = newRefreshSecret();
      const jti = newId('token');
      const familyStartedAt = cmd.familyStartedAt ?? now;
      const expiresAt = new Date(
        Math.min(
          now.getTime() + this.settings.refreshTtl * 1000,
          familyStartedAt.getTime() + this.settings.refreshFamilyLifetime * 1000,
        ),
      );
      rows.push({ ...base, jti, kind: 'refresh', expiresAt, familyId, tokenHash: secret.hash });
      token = secret.token;
      refresh = {
        hash: secret.hash,
        record: {
          tenantId: cmd.tenantId,
          familyId,
          clientId: cmd.clientId,
          subject: cmd.subject,
          role: cmd.role,
          scopes: [...(cmd.familyScopes ?? cmd.scopes)],
          ...resourcesOf(cmd),
          accessJti: access.jti,
          refreshJti: jti,
          userId: cmd.userId,
          issuedAt: now,
          expiresAt,
          familyStartedAt,
        },
      };
    }
    const minted: MintedTokens = {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.claims.exp - access.claims.iat,
      ...(cmd.scopes.length ? { scope: formatScope(cmd.scopes) } : {}),
      ...(refresh && token ? { refresh_token: token, refresh_jti: refresh.record.refreshJti } : {}),
      jti: access.jti,
      expires_at: access.expiresAt.toISOString(),
    };
    return { minted, alg: access.alg, rows, refresh };
  }

  /** Counts tokens that were handed out (a prepared pair that lost a race is not). */
  issued(grant: GrantLabel, prepared: PreparedTokens): void {
    this.metrics.tokenIssued(grant, prepared.alg);
  }
}

function resourcesOf(cmd: IssueTokenCommand): { resources?: string[] } {
  const resources = cmd.familyResources ?? cmd.audience;
  return resources?.length ? { resources: [...resources] } : {};
}
