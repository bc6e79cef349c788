import { DomainError } from '@tessera/domain/shared/domain-error';
import { isId } from '@tessera/domain/shared/ids';
import type { Role } from '@tessera/domain/tenant/membership';
import type { GrantLabel } from '../ports/metrics.port';
import type { TokenRecord, TokenRecords } from '../tokens/token-records.port';
import type { MintedTokens } from '../tokens/token-response';
import { hasControlChar } from '../sign-in/return-to';
import { scopesForRole } from './role-scopes';

/** The client every session-minted token names (RFC 9068 `client_id`). */
export const CONSOLE_CLIENT_ID = 'tessera-console';

/** Who is asking: a session's user, or the subject of a bearer token. */
export interface TokenOwner {
  tenantId: string;
  userId: string;
  role: Role;
}

/** The slices of DI.IssueToken and DI.RevokeToken this needs. */
export interface TokenMinter {
  execute(cmd: {
    tenantId: string;
    subject: string;
    clientId: string;
    scopes: string[];
    role?: string;
    grant: GrantLabel;
    withRefresh: boolean;
    name?: string;
    userId?: string;
  }): Promise<MintedTokens>;
}
export interface TokenRevoker {
  revokeByJti(tenantId: string, jti: string, reason: string, actor: string): Promise<boolean>;
  revokeFamily(tenantId: string, familyId: string, reason: string, actor?: string): Promise<void>;
}

export interface SessionTokenView {
  id: string;
  kind: 'access' | 'refresh';
  name: string | null;
  scopes: string[];
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

const view = (r: TokenRecord): SessionTokenView => ({
  id: r.jti,
  kind: r.kind,
  name: r.name ?? null,
  scopes: r.scopes,
  created_at: r.createdAt.toISOString(),
  expires_at: r.expiresAt.toISOString(),
  revoked_at: r.revokedAt ? r.revokedAt.toISOString() : null,
});

const notFound = () => new DomainError('not_found', 'no such token');

/** POST/GET/DELETE /api/v1/tokens: a user's own API tokens in the session's tenant. */
export class SessionTokens {
  constructor(
    private readonly minter: TokenMinter,
    private readonly records: TokenRecords,
    private readonly revoker: TokenRevoker,
  ) {}

  async mint(owner: TokenOwner, input: { name?: unknown; scopes?: unknown }) {
    const name = input.name === undefined || input.name === '' ? undefined : input.name;
    if (
      name !== undefined &&
      (typeof name !== 'string' || name.length > 100 || hasControlChar(name))
    ) {
      throw new DomainError('invalid_request', 'name must be 1-100 printable characters');
    }
    const raw = input.scopes ?? [];
    const list = typeof raw === 'string' ? raw.split(' ') : raw;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string') || list.length > 20) {
      throw new DomainError('invalid_request', 'scopes must be a space-separated string or a list');
    }
    const scopes = scopesForRole(owner.role, (list as string[]).filter(Boolean));
    // No refresh token: `tessera-console` is no registered client, so one could never be
    // redeemed; a person mints a new token from their session instead.
    return this.minter.execute({
      tenantId: owner.tenantId,
      subject: owner.userId,
      clientId: CONSOLE_CLIENT_ID,
      scopes,
      role: owner.role,
      grant: 'session',
      withRefresh: false,
      name,
      userId: owner.userId,
    });
  }

  async list(owner: TokenOwner): Promise<SessionTokenView[]> {
    const rows = await this.records.list(owner.tenantId, { userId: owner.userId, limit: 200 });
    return rows.filter((r) => r.userId === owner.userId).map(view);
  }

  /** Revokes one token; a pair minted before refresh tokens were dropped ends as a family. */
  async revoke(owner: TokenOwner, id: unknown): Promise<void> {
    if (!isId('token', id)) throw notFound();
    const record = await this.records.get(owner.tenantId, id);
    if (!record || record.userId !== owner.userId) throw notFound();
    // A family revocation is safe to repeat: a repeat finishes one a failure cut short.
    if (record.revokedAt && !record.familyId) return;
    if (record.familyId) {
      await this.revoker.revokeFamily(
        owner.tenantId,
        record.familyId,
        'revoked_by_user',
        owner.userId,
      );
    } else {
      await this.revoker.revokeByJti(owner.tenantId, record.jti, 'revoked_by_user', owner.userId);
    }
  }
}
