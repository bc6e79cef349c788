import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEvent, AuditLog } from '@tessera/application/ports/audit-log.port';
import { newId } from '@tessera/domain/shared/ids';
import { RequestContext } from '../http/request-context';
import type { TenantTransactions } from '../postgres/tenant-transaction';

/** A belt for the port's rule: a detail that looks like a credential is dropped, not stored. */
const SECRET_KEY = /token|secret|password|code|assertion|cookie|authorization|key$/i;

const clip = (v: string | undefined, n: number) => (v === undefined ? null : v.slice(0, n));

/**
 * The audit row, written by `em` inside whatever transaction the caller runs: a step whose
 * effect and audit row must commit together (family revocation) calls this directly.
 */
export function insertAuditEvent(em: EntityManager, event: AuditEvent): Promise<unknown> {
  const details: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(event.details ?? {})) {
    if (!SECRET_KEY.test(k)) details[k] = typeof v === 'string' ? v.slice(0, 512) : v;
  }
  return em.query(
    `INSERT INTO tessera.audit_events (id, tenant_id, actor, action, target, details, request_id)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    [
      newId('event'),
      event.tenantId,
      clip(event.actor, 200),
      event.action,
      clip(event.target, 200),
      JSON.stringify(details),
      clip(event.requestId ?? RequestContext.requestId(), 64),
    ],
  );
}

/**
 * Appends to tessera.audit_events inside the tenant's RLS transaction. The audit trail must
 * never fail the user's request: a failed write is logged (without its details) and swallowed.
 */
export class TypeOrmAuditLog implements AuditLog {
  private readonly log = new Logger('Audit');

  constructor(private readonly tx: TenantTransactions) {}

  async record(event: AuditEvent): Promise<void> {
    try {
      const write = (em: EntityManager) => insertAuditEvent(em, event);
      await (event.tenantId === null
        ? this.tx.crossTenant('audit global event', write)
        : this.tx.run(write, event.tenantId));
    } catch (e) {
      this.log.error(
        `audit event ${event.action} for ${event.tenantId ?? 'no tenant (global)'} not written: ${(e as Error).message}`,
      );
    }
  }
}
