import type { EntityManager } from 'typeorm';
import type {
  PollQuery,
  RevocationFeedStore,
} from '@tessera/application/revocation-feed/revocation-feed.ports';
import type {
  RevocationEvent,
  RevocationEventKind,
} from '@tessera/domain/revocation/security-event';
import type { TenantTransactions } from '../postgres/tenant-transaction';

interface EventRow {
  seq: string;
  tenant_id: string;
  kind: RevocationEventKind;
  target: string;
  iat_before: Date | null;
  expires_at: Date;
  created_at: Date;
}

const toEvent = (r: EventRow): RevocationEvent => ({
  seq: Number(r.seq),
  tenantId: r.tenant_id,
  kind: r.kind,
  target: r.target,
  ...(r.iat_before ? { iatBefore: r.iat_before } : {}),
  expiresAt: r.expires_at,
  createdAt: r.created_at,
});

/** A stream nobody polled for this long is forgotten (FEED-CONTRACT.md). */
const STREAM_IDLE_MS = 24 * 3600_000;

/**
 * The feed's delivery state in Postgres, per (resource server, stream): every event up to
 * `acked_through` is acknowledged, and so are the seqs in `acked_above` (acks out of order).
 * A tenant's seq order is its commit order (revocation-events.ts), so the cursor never
 * passes an event that has yet to appear. Events are read while their tokens may still be
 * accepted (exp + leeway); a new stream starts at 0, so it first gets every revoked,
 * unexpired token, then the live stream.
 */
export class PostgresRevocationFeed implements RevocationFeedStore {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly leewayMs: number,
  ) {}

  poll(q: PollQuery): Promise<{ events: RevocationEvent[]; moreAvailable: boolean }> {
    const live = new Date(Date.now() - this.leewayMs);
    return this.tx.run(async (em) => {
      await em.query(
        `INSERT INTO revocation_streams (tenant_id, resource_server_id, stream)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [q.tenantId, q.resourceServerId, q.stream],
      );
      const [state] = await em.query<{ through: string; above: string[] }[]>(
        `SELECT acked_through::text AS through, acked_above::text[] AS above
           FROM revocation_streams WHERE resource_server_id = $1 AND stream = $2 FOR UPDATE`,
        [q.resourceServerId, q.stream],
      );
      let through = Number(state!.through);
      let above = state!.above.map(Number);
      if (q.acked.length) ({ through, above } = await this.ack(em, q, through, above, live));
      // Ordered by the bigint column, not the text alias (which would sort "10" before "9").
      const rows = await em.query<EventRow[]>(
        `SELECT seq::text AS seq, tenant_id, kind, target, iat_before, expires_at, created_at
           FROM revocation_events
          WHERE tenant_id = $1 AND seq > $2 AND NOT (seq = ANY($3::bigint[])) AND expires_at > $4
          ORDER BY revocation_events.seq LIMIT $5`,
        [q.tenantId, through, above, live, q.maxEvents + 1],
      );
      await em.query(
        `UPDATE revocation_streams SET acked_through = $3, acked_above = $4::bigint[],
                last_seen_at = now()
          WHERE resource_server_id = $1 AND stream = $2`,
        [q.resourceServerId, q.stream, through, above],
      );
      return {
        events: rows.slice(0, q.maxEvents).map(toEvent),
        moreAvailable: rows.length > q.maxEvents,
      };
    }, q.tenantId);
  }

  /** Records the acks that name this tenant's events, then moves the cursor over the prefix. */
  private async ack(
    em: EntityManager,
    q: PollQuery,
    through: number,
    above: number[],
    live: Date,
  ): Promise<{ through: number; above: number[] }> {
    const known = await em.query<{ seq: string }[]>(
      `SELECT seq::text AS seq FROM revocation_events
        WHERE tenant_id = $1 AND seq = ANY($2::bigint[]) AND seq > $3`,
      [q.tenantId, q.acked, through],
    );
    const acked = [...new Set([...above, ...known.map((r) => Number(r.seq))])];
    const [first] = await em.query<{ seq: string | null }[]>(
      `SELECT min(seq)::text AS seq FROM revocation_events
        WHERE tenant_id = $1 AND seq > $2 AND NOT (seq = ANY($3::bigint[])) AND expires_at > $4`,
      [q.tenantId, through, acked, live],
    );
    // Up to just before the first unacknowledged live event; with none, past every ack.
    const cursor = first?.seq ? Number(first.seq) - 1 : Math.max(through, ...acked);
    return { through: cursor, above: acked.filter((s) => s > cursor).sort((a, b) => a - b) };
  }

  /** Events whose tokens have expired, and streams unseen for 24 h; returns the event count. */
  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.leewayMs);
    return this.tx.crossTenant('revocation-feed-prune', async (em) => {
      await em.query(`DELETE FROM revocation_streams WHERE last_seen_at < $1`, [
        new Date(now.getTime() - STREAM_IDLE_MS),
      ]);
      const rows = await em.query<{ n: number }[]>(
        `WITH gone AS (DELETE FROM revocation_events WHERE expires_at < $1 RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [before],
      );
      return rows[0]?.n ?? 0;
    });
  }
}
