import type { DataSource } from 'typeorm';
import type { TokenRecord, TokenRecords } from '@tessera/application/tokens/token-records.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { FOREIGN_KEY_VIOLATION, pgError } from '../postgres/pg-errors';
import { TenantTransactions } from '../postgres/tenant-transaction';
import { API_TOKEN_COLUMNS, apiTokenParams } from './api-token-row';

interface Row {
  jti: string;
  tenant_id: string;
  kind: 'access' | 'refresh';
  subject: string;
  client_id: string;
  user_id: string | null;
  name: string | null;
  scopes: string[];
  family_id: string | null;
  created_via: TokenRecord['createdVia'];
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

const toRecord = (r: Row): TokenRecord => ({
  jti: r.jti,
  tenantId: r.tenant_id,
  kind: r.kind,
  subject: r.subject,
  clientId: r.client_id,
  userId: r.user_id ?? undefined,
  name: r.name ?? undefined,
  scopes: r.scopes,
  familyId: r.family_id ?? undefined,
  createdVia: r.created_via,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at ?? undefined,
});

/** api_tokens, always under RLS for the record's tenant. */
export class TypeOrmTokenRecords implements TokenRecords {
  private readonly tx: TenantTransactions;

  constructor(ds: DataSource) {
    this.tx = new TenantTransactions(ds);
  }

  async record(rows: readonly TokenRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const tenantId = rows[0]!.tenantId;
    const params: unknown[] = [];
    const values = rows.map((r) => {
      const base = params.length;
      const row = apiTokenParams(r);
      params.push(...row);
      return `(${row.map((_, i) => `$${base + i + 1}`).join(', ')})`;
    });
    await this.tx
      .run(
        (em) =>
          em.query(
            `INSERT INTO api_tokens (${API_TOKEN_COLUMNS}) VALUES ${values.join(', ')}`,
            params,
          ),
        tenantId,
      )
      .catch((e: unknown) => {
        // A user's tokens reference their membership: one removed meanwhile is a refusal, not a 500.
        if (pgError(e).code === FOREIGN_KEY_VIOLATION) {
          throw new DomainError('access_denied', 'the user is not a member of this tenant');
        }
        throw e;
      });
  }

  async get(tenantId: string, jti: string): Promise<TokenRecord | undefined> {
    const rows: Row[] = await this.tx.run(
      (em) => em.query('SELECT * FROM api_tokens WHERE jti = $1', [jti]),
      tenantId,
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(
    tenantId: string,
    f: { userId?: string; subject?: string; clientId?: string; limit?: number },
  ): Promise<TokenRecord[]> {
    const rows: Row[] = await this.tx.run(
      (em) =>
        em.query(
          `SELECT * FROM api_tokens
           WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR subject = $2) AND ($3::text IS NULL OR client_id = $3)
           ORDER BY created_at DESC LIMIT $4`,
          [f.userId ?? null, f.subject ?? null, f.clientId ?? null, Math.min(f.limit ?? 100, 1000)],
        ),
      tenantId,
    );
    return rows.map(toRecord);
  }

  async markRevoked(tenantId: string, by: { jtis?: readonly string[]; familyId?: string }) {
    const rows: Row[] = await this.tx.run(
      (em) =>
        em.query(
          `UPDATE api_tokens SET revoked_at = now()
           WHERE revoked_at IS NULL AND (jti = ANY($1::text[]) OR family_id = $2)
           RETURNING jti, kind, expires_at, family_id`,
          [by.jtis ?? [], by.familyId ?? null],
        ),
      tenantId,
    );
    // UPDATE … RETURNING comes back as [rows, count] through TypeORM's postgres driver.
    const list = Array.isArray(rows[0]) ? (rows[0] as unknown as Row[]) : rows;
    return list.map((r) => ({
      jti: r.jti,
      kind: r.kind,
      expiresAt: r.expires_at,
      familyId: r.family_id ?? undefined,
    }));
  }
}
