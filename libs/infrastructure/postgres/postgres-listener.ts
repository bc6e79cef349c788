import { Client } from 'pg';

export interface PostgresListenerOptions {
  appUrl: string;
  channel: string;
  /** Its connection's application_name (seen in pg_stat_activity). */
  applicationName: string;
  /** What its warnings start with. */
  label: string;
  warn: (message: string) => void;
  onMessage: (payload: string) => void;
  /** After a reconnect: what was sent while it was down is lost, the caller catches up. */
  onResubscribed?: () => void;
  /** Delay before a reconnect: doubles from `first` up to `max`, back to `first` once up. */
  backoffMs: { first: number; max: number };
}

/**
 * LISTEN on one channel, reconnecting with backoff when the connection is lost. At most once:
 * NOTIFYs sent while it is down are not delivered. LISTEN needs one session for its whole
 * life, so it has a client of its own, off the pool.
 */
export class PostgresListener {
  private client?: Client;
  private closed = false;
  private backoffMs: number;

  constructor(private readonly o: PostgresListenerOptions) {
    this.backoffMs = o.backoffMs.first;
  }

  /** Connects and LISTENs; a failed first attempt rejects (the caller decides what follows). */
  async start(): Promise<void> {
    const client = new Client({
      connectionString: this.o.appUrl,
      keepAlive: true,
      application_name: this.o.applicationName,
    });
    let lost = false;
    const onLost = () => {
      if (lost || this.closed) return;
      lost = true;
      client.end().catch(() => undefined);
      this.listenLater();
    };
    client.on('notification', (n) => {
      if (n.channel === this.o.channel && n.payload) this.o.onMessage(n.payload);
    });
    client.on('error', (e: Error) => {
      this.o.warn(`${this.o.label}: ${e.message}`);
      onLost();
    });
    client.on('end', onLost);
    try {
      await client.connect();
      await client.query(`LISTEN ${this.o.channel}`);
    } catch (e) {
      lost = true; // this attempt is over: the caller retries (or, at start, fails)
      await client.end().catch(() => undefined);
      throw e;
    }
    this.client = client;
    this.backoffMs = this.o.backoffMs.first;
    if (this.closed) await client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private listenLater(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(delay * 2, this.o.backoffMs.max);
    setTimeout(() => {
      if (this.closed) return;
      this.start().then(
        () => this.o.onResubscribed?.(),
        (e: Error) => {
          this.o.warn(`${this.o.label}: ${e.message}`);
          this.listenLater();
        },
      );
    }, delay).unref();
  }
}
