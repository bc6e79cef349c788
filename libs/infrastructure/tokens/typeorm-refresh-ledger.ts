import type { DataSource, EntityManager } from 'typeorm';
import type {
  RefreshLedger,
  RefreshRow,
  RefreshState,
} from '@tessera/application/tokens/refresh-ledger.port';
import type { TokenRecord } from '@tessera/application/tokens/token-records.port';
import type { AuditAction } from '@tessera/application/ports/audit-log.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { DenylistEntry } from '@tessera/domain/revocation/denylist.port';
import { insertAuditEvent } from '../audit/typeorm-audit-log.adapter';
import { FOREIGN_KEY_VIOLATION, pgError } from '../postgres/pg-errors';
import { TenantTransactions } from '../postgres/tenant-transaction';
import { API_TOKEN_COLUMNS, apiTokenParams } from './api-token-row';
import { insertRevocationEvents } from '../revocation-feed/revocation-events';

/**
 * Serialises a family's rotations and revocations: each statement after the lock sees every
 * row the other committed (READ COMMITTED takes a snapshot per statement), so a revocation
 * cannot miss a successor recorded a moment before, nor a rotation follow a revocation.
 */
const lockFamily = (em: EntityManager, tenantId: string, familyId: string) =>
  em.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${tenantId} ${familyId}`]);

/** Kept until the family's last token (refresh tokens included) has expired. */
async function familyRevokedEvent(em: EntityManager, tenantId: string, familyId: string) {
  const [row] = await em.query<{ until: Date | null }[]>(
    'SELECT max(expires_at) AS until FROM api_tokens WHERE family_id = $1',
    [familyId],
  );
  const expiresAt = row?.until ?? new Date();
  await insertRevocationEvents(em, tenantId, [
    { kind: 'family-revoked', target: familyId, expiresAt },
  ]);
}

/** UPDATE … RETURNING comes back as [rows, count] through TypeORM's postgres driver. */
const returned = <T>(r: unknown): T[] =>
  (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as T[];

/** api_tokens' refresh rows as the durable truth of consumption and revocation (under RLS). */
export class TypeOrmRefreshLedger implements RefreshLedger {
  private readonly tx: TenantTransactions;

  constructor(ds: DataSource) {
    this.tx = new TenantTransactions(ds);
  }

  state(tenantId: string, jti: string): Promise<RefreshState | undefined> {
    return this.guard(async () => {
      const rows = await this.tx.run(
        (em) =>
          em.query<{ revoked_at: Date | null; consumed_at: Date | null; sealed: string | null }[]>(
            `SELECT revoked_at, consumed_at, successor_sealed AS sealed FROM api_tokens
             WHERE jti = $1 AND kind = 'refresh'`,
            [jti],
          ),
        tenantId,
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        revoked: r.revoked_at !== null,
        consumedAt: r.consumed_at ?? undefined,
        sealedSuccessor: r.sealed ?? undefined,
      };
    });
  }

  /**
   * One statement: the family lock, the conditional update, and the successor's rows only if
   * the update won. The lock is taken before the row is updated; a revocation that committed
   * meanwhile has changed the row, so Postgres re-checks it (revoked_at is set) and skips it.
   */
  consume(input: Parameters<RefreshLedger['consume']>[0]): Promise<boolean> {
    return this.guard(() =>
      this.tx.run(async (em) => {
        const params: unknown[] = [
          `${input.tenantId} ${input.familyId}`,
          input.refreshJti,
          input.consumedAt,
          input.sealedSuccessor,
        ];
        const rows = selectRows(input.successorRows, params);
        const inserted = returned(
          await em.query(
            `WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))),
             consumed AS (
               UPDATE api_tokens SET consumed_at = $3, successor_sealed = $4
               WHERE jti = $2 AND kind = 'refresh' AND consumed_at IS NULL AND revoked_at IS NULL
                 AND EXISTS (SELECT 1 FROM locked)
               RETURNING jti)
             INSERT INTO api_tokens (${API_TOKEN_COLUMNS})
             SELECT r.* FROM (${rows}) AS r WHERE EXISTS (SELECT 1 FROM consumed)
             RETURNING jti`,
            params,
          ),
        );
        return inserted.length > 0;
      }, input.tenantId),
    );
  }

  revokeFamily(
    tenantId: string,
    familyId: string,
    reason: string,
    acceptedSince: Date,
    audit: { actor: string; action: AuditAction },
  ) {
    return this.guard(() =>
      this.tx.run(async (em) => {
        await lockFamily(em, tenantId, familyId);
        const revoked = returned(
          await em.query(
            `UPDATE api_tokens SET revoked_at = now()
             WHERE family_id = $1 AND revoked_at IS NULL RETURNING jti`,
            [familyId],
          ),
        );
        // Every access token of the family, already revoked or not: a repeat finishes what an
        // earlier revocation (or an older release's non-atomic one) left undone.
        const live = await em.query<{ jti: string; expires_at: Date }[]>(
          `SELECT jti, expires_at FROM api_tokens
           WHERE family_id = $1 AND kind = 'access' AND expires_at > $2`,
          [familyId, acceptedSince],
        );
        await em.query(
          `INSERT INTO tessera.token_denylist (jti, tenant_id, expires_at, reason)
           SELECT u.jti, $1, u.expires_at, $4
           FROM unnest($2::text[], $3::timestamptz[]) AS u(jti, expires_at)
           ON CONFLICT (jti) DO NOTHING`,
          [tenantId, live.map((r) => r.jti), live.map((r) => r.expires_at), reason.slice(0, 200)],
        );
        // The audit row and the feed's family-revoked event (informational for receivers: the
        // access tokens above get token-revoked events from the denylist trigger) commit with
        // the revocation, written only by the transaction that revoked something, so a crash
        // loses neither and a repeat adds none. Last statement: the feed's tenant lock is held
        // only to the commit.
        if (revoked.length > 0) {
          await insertAuditEvent(em, {
            tenantId,
            ...audit,
            target: familyId,
            // (A detail key naming a token would be dropped by the audit's credential belt.)
            details: { reason, jtis_denied: live.length },
          });
          await familyRevokedEvent(em, tenantId, familyId);
        }
        const denied: DenylistEntry[] = live.map((r) => ({
          jti: r.jti,
          tenantId,
          expiresAt: r.expires_at,
          reason,
        }));
        return { denied, newlyRevoked: revoked.length };
      }, tenantId),
    );
  }

  findByTokenHash(tenantId: string, tokenHash: string): Promise<RefreshRow | undefined> {
    return this.guard(async () => {
      const rows = await this.tx.run(
        (em) =>
          em.query<{ jti: string; family_id: string; client_id: string }[]>(
            `SELECT jti, family_id, client_id FROM api_tokens
             WHERE token_hash = $1 AND kind = 'refresh' AND family_id IS NOT NULL`,
            [tokenHash],
          ),
        tenantId,
      );
      const r = rows[0];
      return r && { tenantId, familyId: r.family_id, clientId: r.client_id, jti: r.jti };
    });
  }

  /**
   * Every step here is one transaction, safe to retry: a database failure is "try again"
   * (503), never a 500, and leaves nothing half written.
   */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof DomainError) throw e;
      if (pgError(e).code === FOREIGN_KEY_VIOLATION)
        throw new DomainError('invalid_grant', 'the user is no longer a member of this tenant');
      throw new DomainError('temporarily_unavailable', 'the token database is unavailable', {
        cause: e,
      });
    }
  }
}

/** The cast of each of API_TOKEN_COLUMNS (a SELECT … UNION ALL has no column types of its own). */
const TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text[]',
  'text',
  'text',
  'timestamptz',
  'timestamptz',
  'text',
];

/** `SELECT $n::type, …` per row, joined by UNION ALL; the values are appended to `params`. */
function selectRows(rows: readonly TokenRecord[], params: unknown[]): string {
  return rows
    .map((r) => {
      const base = params.length;
      params.push(...apiTokenParams(r));
      return `SELECT ${TYPES.map((t, i) => `$${base + i + 1}::${t}`).join(', ')}`;
    })
    .join(' UNION ALL ');
}
