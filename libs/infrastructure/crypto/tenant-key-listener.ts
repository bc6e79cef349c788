import type { EntityManager } from 'typeorm';
import { PostgresListener } from '../postgres/postgres-listener';

export const TENANT_KEYS_CHANNEL = 'tessera_tenant_keys';

/** Inside the change's transaction: delivered to every node only if it commits. */
export const notifyTenantKeys = (em: EntityManager, tenantId: string) =>
  em.query('SELECT pg_notify($1, $2)', [TENANT_KEYS_CHANNEL, tenantId]);

/**
 * LISTEN for tenant key changes (a revocation reaches every node's cache at once). At most once:
 * a message lost while the connection is down costs at most KEY_RELOAD_INTERVAL, the change poll
 * being the authority, so it reconnects every second and catches up on nothing.
 */
export const tenantKeyListener = (
  appUrl: string,
  onChange: (tenantId: string) => void,
  warn: (m: string) => void,
) =>
  new PostgresListener({
    appUrl,
    channel: TENANT_KEYS_CHANNEL,
    applicationName: 'tessera:tenant-keys-listen',
    label: 'tenant key listener',
    warn,
    onMessage: onChange,
    backoffMs: { first: 1000, max: 1000 },
  });
