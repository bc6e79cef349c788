import type { TenantTransactions } from '../postgres/tenant-transaction';

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
}

/** The read side for operators (`audit tail`): newest first, within one tenant's RLS scope. */
export class TypeOrmAuditTrail {
  constructor(private readonly tx: TenantTransactions) {}

  async tail(tenantId: string, limit: number): Promise<AuditRow[]> {
    const rows = (await this.tx.run(
      (em) =>
        em.query(
          `SELECT id, at, actor, action, target, details, request_id
             FROM tessera.audit_events
            WHERE tenant_id = $1
            ORDER BY at DESC, id DESC
            LIMIT $2`,
          [tenantId, limit],
        ),
      tenantId,
    )) as Array<Omit<AuditRow, 'at'> & { at: Date; cursor_at: string }>;
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  since?: Date;
  until?: Date;
  /** Continue after this (at, id): the last row of the previous page. */
  after?: { at: string; id: string };
  limit: number;
}

/** The management API's read side: newest first, filtered, keyset-paginated. */
export class TypeOrmAuditQuery {
  constructor(private readonly tx: TenantTransactions) {}

  /** Rows with `cursor_at`: `at` at full (microsecond) precision, for the next page's `after`. */
  async page(tenantId: string, f: AuditFilter): Promise<(AuditRow & { cursor_at: string })[]> {
    const rows = (await this.tx.run(
      (em) =>
        em.query(
          `SELECT id, at, at::text AS cursor_at, actor, action, target, details, request_id
             FROM tessera.audit_events
            WHERE tenant_id = $1
              AND ($2::text IS NULL OR actor = $2)
              AND ($3::text IS NULL OR action = $3)
              AND ($4::timestamptz IS NULL OR at >= $4)
              AND ($5::timestamptz IS NULL OR at < $5)
              AND ($6::timestamptz IS NULL OR (at, id) < ($6::timestamptz, $7::text))
            ORDER BY at DESC, id DESC
            LIMIT $8`,
          [
            tenantId,
            f.actor ?? null,
            f.action ?? null,
            f.since ?? null,
            f.until ?? null,
            f.after?.at ?? null,
            f.after?.id ?? null,
            f.limit,
          ],
        ),
      tenantId,
    )) as Array<Omit<AuditRow, 'at'> & { at: Date; cursor_at: string }>;
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }
}
