import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { TenantContext } from '../tenancy/tenant-context';

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

/**
 * A database that cannot be reached (or is shutting down) is a 503 the client may retry, not
 * a 500: SQLSTATE class 08 and 57P01-57P03, a refused or dropped socket, a pool timeout.
 */
function whenUnreachable(e: unknown): never {
  const err = e as { code?: unknown; message?: unknown; driverError?: { code?: unknown } };
  const code = String(err?.driverError?.code ?? err?.code ?? '');
  const message = String(err?.message ?? '');
  if (
    code.startsWith('08') ||
    /^57P0[123]$/.test(code) ||
    NETWORK_ERRORS.has(code) ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
      message,
    )
  ) {
    throw new DomainError('temporarily_unavailable', 'the database is unreachable; retry', {
      cause: e,
    });
  }
  throw e;
}

/**
 * Every tenant-scoped query runs here: one transaction whose first statement sets
 * app.tenant_id *locally* on the same connection, so RLS policies see it and the setting dies
 * with the transaction (a pooled connection never carries a tenant to the next request).
 *
 * Each path also clears the other's setting, locally: even if some code had run a session-level
 * `SET app.cross_tenant = on` on a pooled connection (it never should), tenant-scoped work on
 * that connection stays confined to its tenant.
 */
export class TenantTransactions {
  constructor(private readonly ds: DataSource) {}

  /** Runs fn for the tenant in TenantContext (or the one given). */
  run<T>(fn: (em: EntityManager) => Promise<T>, tenantId = TenantContext.require()): Promise<T> {
    if (typeof tenantId !== 'string' || tenantId.length === 0 || tenantId.length > 64) {
      return Promise.reject(new Error('tenant-scoped work needs a tenant id'));
    }
    return this.ds
      .transaction(async (em) => {
        await em.query(
          `SELECT set_config('app.tenant_id', $1, true), set_config('app.cross_tenant', '', true)`,
          [tenantId],
        );
        return fn(em);
      })
      .catch(whenUnreachable);
  }

  /**
   * The one cross-tenant path (tenant creation and lookup by slug, sign-in, denylist sync and
   * pruning, key management): policies admit rows of any tenant only while app.cross_tenant is
   * set, locally, here. `purpose` is for the reader of the call site and of pg_stat_activity.
   */
  crossTenant<T>(purpose: string, fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.ds
      .transaction(async (em) => {
        await em.query(
          `SELECT set_config('app.cross_tenant', 'on', true), set_config('app.tenant_id', '', true),
                set_config('application_name', $1, true)`,
          [`tessera:${purpose}`.slice(0, 63)],
        );
        return fn(em);
      })
      .catch(whenUnreachable);
  }
}
