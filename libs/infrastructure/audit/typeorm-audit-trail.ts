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
    )) as Array<Omit<AuditRow, 'at'> & { at: Date }>;
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  }
}
