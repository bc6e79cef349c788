import { Body, Get, Inject, Param, Query } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { RevokeTokenUseCase } from '@tessera/application/revoke-token/revoke-token.use-case';
import type { RevokeAllTokensUseCase } from '@tessera/application/revoke-token/revoke-all-tokens.use-case';
import type { TokenRecords } from '@tessera/application/tokens/token-records.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { isId } from '@tessera/domain/shared/ids';
import { jsonBody, optQuery, optString } from './body';
import { DeleteNoContent, ManagementController, PostAction } from './management-controller';
import { OnTenant, TenantScope, type TenantCall } from './management-principal';
import { decodeCursor, encodeCursor, pageLimit } from './pagination';
import { tokenView } from './views';

/** Records are looked at this many at a time (the store's own bound). */
const SCAN = 1000;
const REASON = 'revoked_by_manager';
const noSuchToken = () => new DomainError('not_found', 'no such token in this tenant');
const isAfter = (v: unknown): v is { after: string } =>
  typeof (v as { after?: unknown })?.after === 'string';

/** Issued tokens (metadata, never the token): listed, and revoked through RevokeToken. */
@ManagementController('tenants/:tenant_id/tokens')
export class TokensController {
  constructor(
    @Inject(DI.TokenRecords) private readonly records: TokenRecords,
    @Inject(DI.RevokeToken) private readonly revoker: RevokeTokenUseCase,
    private readonly tenants: TenantScope,
    @Inject(DI.RevokeAllTokens) private readonly revokeEvery: RevokeAllTokensUseCase,
  ) {}

  /**
   * Newest first, by `client_id` and/or `subject`. Pages through the newest 1000 matching
   * records (the cursor is the last jti seen).
   */
  @Get()
  async list(@OnTenant() p: TenantCall, @Query() q: Record<string, unknown>) {
    const tid = await this.tenants.id(p);
    const limit = pageLimit(q.limit);
    const after = decodeCursor(q.cursor, isAfter)?.after;
    const rows = await this.records.list(tid, {
      clientId: optQuery(q, 'client_id'),
      subject: optQuery(q, 'subject'),
      limit: SCAN,
    });
    const start = after === undefined ? 0 : rows.findIndex((r) => r.jti === after) + 1;
    const items = rows.slice(start, start + limit);
    const more = start + limit < rows.length;
    return {
      items: items.map(tokenView),
      next_cursor: more ? encodeCursor({ after: items[items.length - 1]!.jti }) : null,
    };
  }

  @Get(':jti')
  async get(@OnTenant() p: TenantCall, @Param('jti') jti: string) {
    const record = isId('token', jti)
      ? await this.records.get(await this.tenants.id(p), jti)
      : undefined;
    if (!record) throw noSuchToken();
    return tokenView(record);
  }

  /** Revokes one token (a refresh token: its whole family). Repeating it is harmless. */
  @DeleteNoContent(':jti')
  async revoke(@OnTenant() p: TenantCall, @Param('jti') jti: string): Promise<void> {
    const tid = await this.tenants.id(p);
    if (!isId('token', jti) || !(await this.revoker.revokeByJti(tid, jti, REASON, p.actor))) {
      throw noSuchToken();
    }
  }

  /**
   * Revokes every token of a client or a subject issued until now, on every node and for the
   * resource servers on the feed (RevokeAllTokens, as `token revoke --client|--subject`).
   */
  @PostAction('revoke')
  async revokeAll(@OnTenant() p: TenantCall, @Body() raw: unknown) {
    const b = jsonBody(raw, ['client_id', 'subject']);
    const clientId = optString(b, 'client_id');
    const subject = optString(b, 'subject');
    if ((clientId === undefined) === (subject === undefined)) {
      throw new DomainError('invalid_request', 'name one of: client_id, subject');
    }
    const tid = await this.tenants.id(p);
    const r =
      clientId !== undefined
        ? await this.revokeEvery.ofClient(tid, clientId, p.actor, REASON)
        : await this.revokeEvery.ofSubject(tid, subject!, p.actor, REASON);
    return {
      issued_before: r.issuedBefore.toISOString(),
      access_tokens_denied: r.accessTokensDenied,
      families_revoked: r.familiesRevoked,
    };
  }
}
