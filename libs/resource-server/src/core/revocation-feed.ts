import { randomBytes } from 'node:crypto';
import type { Logger } from './options';
import type { RevocationReplica } from './revocation-replica';
import { TokenRuleViolation, verifyWithRules, type KeyForKid } from './verification-rules';

export type FeedState = 'starting' | 'live' | 'degraded' | 'failed_closed' | 'stopped';

export interface FeedStatus {
  state: FeedState;
  /** Seconds since the last successful poll (up to the server's long-poll wait when quiet). */
  lagSeconds: number | null;
  /** Seconds the feed has been failing; 0 while it answers. */
  unreachableSeconds: number;
  /** The initial snapshot of revoked tokens has been received. */
  synced: boolean;
  stream: string;
  revoked: { jtis: number; clients: number; subjects: number };
}

export interface FeedOptions {
  endpoint: string;
  issuer: string;
  identifier: string;
  clientId: string;
  clientSecret: string;
  leewaySeconds: number;
  failClosedAfterSeconds: number;
  /** Must exceed the server's REVOCATION_FEED_MAX_WAIT (20 s by default, at most 25 s). */
  pollTimeoutSeconds: number;
  keys: KeyForKid;
  replica: RevocationReplica;
  logger: Logger;
  fetch: typeof fetch;
}

const SET_TYP = 'secevent+jwt';
const MAX_EVENTS = 100;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15_000;

class FeedError extends Error {}

/** `^[A-Za-z0-9_-]{1,64}$` per the feed contract; 22 characters of randomness. */
export const newStreamId = () => randomBytes(16).toString('base64url');

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * RFC 8936 poll delivery into the replica: one long poll at a time, acknowledging what the last
 * poll delivered, backing off with full jitter while the feed fails. Each process uses its own
 * random stream, so it first receives every revoked, unexpired token, then the live stream.
 */
export class RevocationFeed {
  private stream = newStreamId();
  private acks: string[] = [];
  private setErrs: Record<string, { err: string; description: string }> = {};
  private synced = false;
  private caughtUp = false;
  private lastSuccessAt?: number;
  private downSince?: number;
  private failedClosed = false;
  private lastError = '';
  private stopped = false;
  private readonly abort = new AbortController();
  private loopDone?: Promise<void>;
  private ticker?: NodeJS.Timeout;
  private ticks = 0;

  constructor(private readonly o: FeedOptions) {}

  start(): void {
    this.loopDone = this.loop();
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    this.abort.abort();
    await this.loopDone;
  }

  /** Requests may be answered: the snapshot is in and the feed is not past its bound. */
  allowsRequests(now = Date.now()): boolean {
    if (!this.failedClosed && this.pastBound(now)) this.closeNow();
    return this.synced && !this.failedClosed;
  }

  status(now = Date.now()): FeedStatus {
    const state: FeedState = this.stopped
      ? 'stopped'
      : this.failedClosed || this.pastBound(now)
        ? 'failed_closed'
        : !this.synced
          ? 'starting'
          : this.downSince !== undefined
            ? 'degraded'
            : 'live';
    return {
      state,
      lagSeconds: this.lastSuccessAt === undefined ? null : (now - this.lastSuccessAt) / 1000,
      unreachableSeconds: this.downSince === undefined ? 0 : (now - this.downSince) / 1000,
      synced: this.synced,
      stream: this.stream,
      revoked: this.o.replica.size,
    };
  }

  private pastBound(now: number): boolean {
    return (
      this.downSince !== undefined && now - this.downSince > this.o.failClosedAfterSeconds * 1000
    );
  }

  private tick(): void {
    if (!this.failedClosed && this.pastBound(Date.now())) this.closeNow();
    if (++this.ticks % 60 === 0) this.o.replica.prune();
  }

  /** Logged once per outage: the moment this API starts refusing. */
  private closeNow(): void {
    this.failedClosed = true;
    this.o.logger.error(
      `revocation feed unreachable for more than ${this.o.failClosedAfterSeconds}s ` +
        `(${this.lastError}): answering 503 until it returns`,
    );
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      const startedAt = Date.now();
      try {
        await this.pollOnce();
        attempt = 0;
        this.succeeded();
      } catch (e) {
        if (this.stopped) return;
        this.failed(startedAt, e);
        const delay = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt++);
        await this.sleep(delay);
      }
    }
  }

  private succeeded(): void {
    this.lastSuccessAt = Date.now();
    if (!this.caughtUp) return;
    if (!this.synced) this.o.logger.info(`revocation feed synced (stream ${this.stream})`);
    if (this.failedClosed) this.o.logger.warn('revocation feed is back: answering requests again');
    this.synced = true;
    this.failedClosed = false;
    this.downSince = undefined;
  }

  private failed(startedAt: number, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    if (this.downSince === undefined) {
      this.downSince = startedAt;
      this.o.logger.warn(`revocation feed poll failed: ${msg}`);
    }
    this.lastError = msg;
    this.tick();
    if (this.failedClosed && this.synced) {
      // Resync after the gap: a fresh stream starts with the full snapshot, whatever the
      // server kept for the old one; requests stay refused until it is in.
      this.stream = newStreamId();
      this.synced = false;
      this.caughtUp = false;
      this.acks = [];
      this.setErrs = {};
    }
  }

  private async pollOnce(): Promise<void> {
    const ack = this.acks;
    const setErrs = this.setErrs;
    const res = await this.o.fetch(this.o.endpoint, {
      method: 'POST',
      headers: {
        authorization: basic(this.o.clientId, this.o.clientSecret),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        ack,
        ...(Object.keys(setErrs).length ? { setErrs } : {}),
        maxEvents: MAX_EVENTS,
        returnImmediately: !this.caughtUp,
        stream: this.stream,
      }),
      signal: AbortSignal.any([
        this.abort.signal,
        AbortSignal.timeout(this.o.pollTimeoutSeconds * 1000),
      ]),
    });
    const text = await res.text();
    if (res.status !== 200) throw new FeedError(`HTTP ${res.status} ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { sets?: Record<string, string>; moreAvailable?: boolean };
    if (!body || typeof body.sets !== 'object' || body.sets === null) {
      throw new FeedError('the response has no "sets" object');
    }
    // Delivered: the acknowledgements and errors sent with this poll are done.
    this.acks = [];
    this.setErrs = {};
    for (const [setId, jws] of Object.entries(body.sets)) {
      await this.receive(setId, jws);
    }
    this.caughtUp = body.moreAvailable !== true;
  }

  /** Verifies and applies one SET; a network or unknown-kid failure fails the poll (redelivery). */
  private async receive(setId: string, jws: unknown): Promise<void> {
    let transient: unknown;
    const keys: KeyForKid = async (kid, header) => {
      try {
        return await this.o.keys(kid, header);
      } catch (e) {
        // A key we cannot fetch or do not know yet (a rotation within the cooldown) is not a
        // bad SET: the poll fails, nothing is acknowledged, and the SET comes again.
        if (!(e instanceof TokenRuleViolation)) transient = e;
        throw e;
      }
    };
    try {
      const set = await verifyWithRules(jws, keys, {
        issuer: this.o.issuer,
        audience: this.o.identifier,
        leewaySeconds: this.o.leewaySeconds,
        typ: SET_TYP,
        requiredClaims: ['iat', 'jti', 'events'],
      });
      const events = set.events as Record<string, unknown> | undefined;
      if (!events || typeof events !== 'object' || Object.keys(events).length !== 1) {
        return this.refuse(setId, 'invalid_request', 'a SET must carry exactly one event');
      }
      if (!this.o.replica.apply(events)) {
        return this.refuse(setId, 'invalid_request', 'unknown or malformed event');
      }
      this.acks.push(setId);
    } catch (e) {
      if (transient !== undefined) {
        const why = transient instanceof Error ? transient.message : String(transient);
        throw new FeedError(`cannot verify SET ${setId} yet: ${why}`);
      }
      if (!(e instanceof TokenRuleViolation)) throw e;
      this.refuse(setId, 'invalid_key', 'the SET failed verification');
    }
  }

  private refuse(setId: string, err: string, description: string): void {
    this.o.logger.warn(`revocation feed: refusing SET ${setId}: ${description}`);
    this.setErrs[setId] = { err, description };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), {
        once: true,
      });
    });
  }
}
