import { Get, Inject, Query } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { TypeOrmAuditQuery } from '@tessera/infrastructure/audit/typeorm-audit-trail';
import { optQuery } from './body';
import { ManagementController } from './management-controller';
import { OnTenant, TenantScope, type TenantCall } from './management-principal';
import { decodeCursor, encodeCursor, pageLimit } from './pagination';

/** Postgres' own text form of a timestamptz (microseconds kept), as the previous page gave it. */
const PG_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const isAfter = (v: unknown): v is { at: string; id: string } => {
  const { at, id } = (v ?? {}) as { at?: unknown; id?: unknown };
  return typeof at === 'string' && PG_TIME.test(at) && typeof id === 'string' && id.length <= 128;
};

function time(q: Record<string, unknown>, name: string): Date | undefined {
  const v = optQuery(q, name);
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(d.getTime())) {
    throw new DomainError('invalid_request', `${name} is an RFC 3339 date-time`);
  }
  return d;
}

/** The tenant's audit trail, newest first: filter by actor, action and time. */
@ManagementController('tenants/:tenant_id/audit-events')
export class AuditController {
  constructor(
    @Inject(DI.AuditQuery) private readonly audit: TypeOrmAuditQuery,
    private readonly tenants: TenantScope,
  ) {}

  @Get()
  async list(@OnTenant() p: TenantCall, @Query() q: Record<string, unknown>) {
    const tid = await this.tenants.id(p);
    const limit = pageLimit(q.limit);
    const rows = await this.audit.page(tid, {
      actor: optQuery(q, 'actor'),
      action: optQuery(q, 'action'),
      since: time(q, 'since'),
      until: time(q, 'until'),
      after: decodeCursor(q.cursor, isAfter),
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ cursor_at: _, ...r }) => r),
      next_cursor:
        rows.length > limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
    };
  }
}
