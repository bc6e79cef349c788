import { newId } from '@tessera/domain/shared/ids';
import { formatScope } from '@tessera/domain/token/access-claims';
import type { AccessGrant, TokenIssuer } from '@tessera/domain/token/token-issuer';
import { newRefreshSecret } from '@tessera/domain/refresh/refresh-secret';
import type { RefreshStore } from '@tessera/domain/refresh/refresh-store.port';
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
  /** The family's resources (RFC 8707), kept by the successor even when access narrows. */
  familyResources?: readonly string[];
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
    let refresh: { token: string; jti: string } | undefined;
    if (cmd.withRefresh) {
      const familyId = cmd.familyId ?? newId('family');
      rows[0]!.familyId = familyId;
      const secret = newRefreshSecret();
      const jti = newId('token');
      const expiresAt = new Date(now.getTime() + this.settings.refreshTtl * 1000);
      rows.push({ ...base, jti, kind: 'refresh', expiresAt, familyId });
      await this.records.record(rows);
      await this.refresh.save(secret.hash, {
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
      });
      refresh = { token: secret.token, jti };
    } else {
      await this.records.record(rows);
    }
    this.metrics.tokenIssued(cmd.grant, access.alg);
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.claims.exp - access.claims.iat,
      ...(cmd.scopes.length ? { scope: formatScope(cmd.scopes) } : {}),
      ...(refresh ? { refresh_token: refresh.token, refresh_jti: refresh.jti } : {}),
      jti: access.jti,
      expires_at: access.expiresAt.toISOString(),
    };
  }
}

function resourcesOf(cmd: IssueTokenCommand): { resources?: string[] } {
  const resources = cmd.familyResources ?? cmd.audience;
  return resources?.length ? { resources: [...resources] } : {};
}
