import type { EntityManager } from 'typeorm';
import { PostgresListener } from '../postgres/postgres-listener';
import type { DenylistChannel } from './denylist-channel';

export const PG_DENYLIST_CHANNEL = 'tessera_denylist';

/**
 * LISTEN/NOTIFY, without Redis (the embedded single node and the CLI): a revocation made by
 * `token revoke` in another process reaches the running server through Postgres itself.
 */
export class PostgresDenylistChannel implements DenylistChannel {
  private listener?: PostgresListener;

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

  /** Reconnects with backoff, then has the denylist resync what it missed meanwhile. */
  async subscribe(onMessage: (m: string) => void, onResubscribed: () => void): Promise<void> {
    this.listener = new PostgresListener({
      appUrl: this.appUrl,
      channel: PG_DENYLIST_CHANNEL,
      applicationName: 'tessera:denylist-listen',
      label: 'denylist listener',
      warn: this.warn,
      onMessage,
      onResubscribed,
      backoffMs: { first: 100, max: 2000 },
    });
    await this.listener.start();
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }
}
