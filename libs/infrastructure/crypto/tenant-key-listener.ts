import { Client } from 'pg';
import type { EntityManager } from 'typeorm';

export const TENANT_KEYS_CHANNEL = 'tessera_tenant_keys';

/** Inside the change's transaction: delivered to every node only if it commits. */
export const notifyTenantKeys = (em: EntityManager, tenantId: string) =>
  em.query('SELECT pg_notify($1, $2)', [TENANT_KEYS_CHANNEL, tenantId]);

/**
 * LISTEN for tenant key changes (a revocation reaches every node's cache at once). At most once:
 * a message lost while the connection is down costs at most KEY_RELOAD_INTERVAL, the change poll
 * being the authority. LISTEN needs one session for its whole life, so a client of its own.
 */
export class TenantKeyListener {
  private client?: Client;
  private closed = false;

  constructor(
    private readonly appUrl: string,
    private readonly onChange: (tenantId: string) => void,
    private readonly warn: (m: string) => void,
  ) {}

  async start(): Promise<void> {
    const client = new Client({
      connectionString: this.appUrl,
      keepAlive: true,
      application_name: 'tessera:tenant-keys-listen',
    });
    let lost = false;
    const onLost = () => {
      if (lost || this.closed) return;
      lost = true;
      client.end().catch(() => undefined);
      this.retry();
    };
    client.on('notification', (n) => {
      if (n.channel === TENANT_KEYS_CHANNEL && n.payload) this.onChange(n.payload);
    });
    client.on('error', (e: Error) => {
      this.warn(`tenant key listener: ${e.message}`);
      onLost();
    });
    client.on('end', onLost);
    try {
      await client.connect();
      await client.query(`LISTEN ${TENANT_KEYS_CHANNEL}`);
    } catch (e) {
      lost = true;
      await client.end().catch(() => undefined);
      throw e;
    }
    this.client = client;
    if (this.closed) await client.end().catch(() => undefined);
  }

  private retry(): void {
    if (this.closed) return;
    setTimeout(() => {
      this.start().catch((e: Error) => {
        this.warn(`tenant key listener: ${e.message}`);
        this.retry();
      });
    }, 1000).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }
}
