import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import type { DenylistChannel } from './denylist-channel';

export const PG_DENYLIST_CHANNEL = 'tessera_denylist';

/**
 * LISTEN/NOTIFY, without Redis (the embedded single node and the CLI): a revocation made by
 * `token revoke` in another process reaches the running server through Postgres itself.
 * LISTEN needs one session for its whole life, so it has a client of its own, off the pool.
 */
export class PostgresDenylistChannel implements DenylistChannel {
  private client?: Client;
  private closed = false;
  private backoffMs = 100;
  private onMessage: (m: string) => void = () => undefined;
  private onResubscribed: () => void = () => undefined;

  constructor(
    private readonly appUrl: string,
    private readonly warn: (message: string) => void,
  ) {}

  async inTransaction(em: EntityManager, messages: string[]): Promise<void> {
    for (const m of messages) await em.query('SELECT pg_notify($1, $2)', [PG_DENYLIST_CHANNEL, m]);
  }

  afterCommit(): Promise<void> {
    return Promise.resolve();
  }

  async subscribe(onMessage: (m: string) => void, onResubscribed: () => void): Promise<void> {
    this.onMessage = onMessage;
    this.onResubscribed = onResubscribed;
    await this.listen();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.appUrl,
      keepAlive: true,
      application_name: 'tessera:denylist-listen',
    });
    let lost = false;
    const onLost = () => {
      if (lost || this.closed) return;
      lost = true;
      client.end().catch(() => undefined);
      this.listenLater();
    };
    client.on('notification', (n) => {
      if (n.channel === PG_DENYLIST_CHANNEL && n.payload) this.onMessage(n.payload);
    });
    client.on('error', (e: Error) => {
      this.warn(`denylist listener: ${e.message}`);
      onLost();
    });
    client.on('end', onLost);
    try {
      await client.connect();
      await client.query(`LISTEN ${PG_DENYLIST_CHANNEL}`);
    } catch (e) {
      lost = true; // this attempt is over: the caller retries (or, at start, fails)
      await client.end().catch(() => undefined);
      throw e;
    }
    this.client = client;
    this.backoffMs = 100;
    if (this.closed) await client.end().catch(() => undefined);
  }

  /** Reconnects with backoff, then has the denylist resync what it missed meanwhile. */
  private listenLater(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(delay * 2, 2000);
    setTimeout(() => {
      if (this.closed) return;
      this.listen().then(
        () => this.onResubscribed(),
        (e: Error) => {
          this.warn(`denylist listener: ${e.message}`);
          this.listenLater();
        },
      );
    }, delay).unref();
  }
}
