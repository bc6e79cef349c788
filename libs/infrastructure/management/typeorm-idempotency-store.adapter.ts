import type {
  IdempotencyScope,
  IdempotencyStore,
  StoredResponse,
} from '@tessera/application/idempotency/idempotency-store.port';
import type { TenantTransactions } from '../postgres/tenant-transaction';

/** A claim left unfinished this long (its node died mid-create) may be taken over. */
const STALE_SECONDS = 120;

interface Row {
  request_hash: string;
  status: number | null;
  response: unknown;
  stale: boolean;
}

/** idempotency_keys (RLS: the caller's tenant). Keys are kept 24 h (pruned by the claim). */
export class TypeOrmIdempotencyStore implements IdempotencyStore {
  constructor(private readonly tx: TenantTransactions) {}

  claim(s: IdempotencyScope, requestHash: string) {
    return this.tx.run(async (em) => {
      await em.query(
        `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND actor = $2 AND key = $3
            AND created_at < now() - interval '24 hours'`,
        [s.tenantId, s.actor, s.key],
      );
      const inserted: unknown[] = await em.query(
        `INSERT INTO idempotency_keys (tenant_id, actor, key, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [s.tenantId, s.actor, s.key, requestHash],
      );
      if (inserted.length) return { state: 'claimed' as const };
      const [row]: Row[] = await em.query(
        `SELECT request_hash, status, response,
                created_at < now() - make_interval(secs => $4) AS stale
           FROM idempotency_keys WHERE tenant_id = $1 AND actor = $2 AND key = $3 FOR UPDATE`,
        [s.tenantId, s.actor, s.key, STALE_SECONDS],
      );
      if (!row) return { state: 'in_progress' as const };
      if (row.request_hash !== requestHash) return { state: 'mismatch' as const };
      if (row.status !== null) {
        return { state: 'done' as const, response: { status: row.status, body: row.response } };
      }
      if (!row.stale) return { state: 'in_progress' as const };
      await em.query(
        `UPDATE idempotency_keys SET created_at = now()
          WHERE tenant_id = $1 AND actor = $2 AND key = $3`,
        [s.tenantId, s.actor, s.key],
      );
      return { state: 'claimed' as const };
    }, s.tenantId);
  }

  async complete(s: IdempotencyScope, response: StoredResponse): Promise<void> {
    await this.tx.run(
      (em) =>
        em.query(
          `UPDATE idempotency_keys SET status = $4, response = $5::jsonb
            WHERE tenant_id = $1 AND actor = $2 AND key = $3`,
          [s.tenantId, s.actor, s.key, response.status, JSON.stringify(response.body)],
        ),
      s.tenantId,
    );
  }

  async release(s: IdempotencyScope): Promise<void> {
    await this.tx.run(
      (em) =>
        em.query(
          `DELETE FROM idempotency_keys
            WHERE tenant_id = $1 AND actor = $2 AND key = $3 AND status IS NULL`,
          [s.tenantId, s.actor, s.key],
        ),
      s.tenantId,
    );
  }
}
