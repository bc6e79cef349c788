import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The tenant a unit of work acts for, resolved once at the edge (token `org`, session, CLI
 * flag) and read only by infrastructure. Never a global: concurrent requests each carry theirs.
 */
const storage = new AsyncLocalStorage<{ tenantId: string }>();

export const TenantContext = {
  run<T>(tenantId: string, fn: () => T): T {
    return storage.run({ tenantId }, fn);
  },
  current(): string | undefined {
    return storage.getStore()?.tenantId;
  },
  require(): string {
    const t = storage.getStore()?.tenantId;
    if (!t)
      throw new Error('no tenant in context: tenant-scoped work must run inside TenantContext.run');
    return t;
  },
};
