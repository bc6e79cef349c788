import { DomainError } from '@tessera/domain/shared/domain-error';
import type { Client } from '@tessera/domain/token/client';
import { seqOfSetJti, setJti } from '@tessera/domain/revocation/security-event';
import type {
  RevocationFeedStore,
  RevocationWaiter,
  SecurityEventSigner,
} from './revocation-feed.ports';

/** RFC 8936 §2.4.4: malformed poll bodies answer `{"err","description"}`, not RFC 6749 JSON. */
export class PollRequestError extends DomainError {
  readonly format = 'rfc8936';
  constructor(description: string) {
    super('invalid_request', description);
  }
}

export interface PollRequest {
  ack: string[];
  setErrs: Record<string, { err: string; description?: string }>;
  maxEvents: number;
  returnImmediately: boolean;
  stream: string;
}

export interface PollResponse {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

const STREAM = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_EVENTS = 1000;

/** Checks an RFC 8936 §2.4 poll body (plus the `stream` extension member). */
export function parsePollRequest(body: unknown): PollRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PollRequestError('the body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const ack = b.ack ?? [];
  if (!Array.isArray(ack) || ack.length > MAX_EVENTS || !ack.every((j) => typeof j === 'string')) {
    throw new PollRequestError(`ack must be an array of at most ${MAX_EVENTS} SET jtis`);
  }
  const setErrs = b.setErrs ?? {};
  if (typeof setErrs !== 'object' || setErrs === null || Array.isArray(setErrs)) {
    throw new PollRequestError('setErrs must be an object');
  }
  if (Object.keys(setErrs).length > MAX_EVENTS) throw new PollRequestError('too many setErrs');
  const maxEvents = b.maxEvents ?? 100;
  if (
    !Number.isInteger(maxEvents) ||
    (maxEvents as number) < 0 ||
    (maxEvents as number) > MAX_EVENTS
  ) {
    throw new PollRequestError(`maxEvents must be an integer from 0 to ${MAX_EVENTS}`);
  }
  const returnImmediately = b.returnImmediately ?? false;
  if (typeof returnImmediately !== 'boolean') {
    throw new PollRequestError('returnImmediately must be a boolean');
  }
  const stream = b.stream ?? 'default';
  if (typeof stream !== 'string' || !STREAM.test(stream)) {
    throw new PollRequestError('stream must match ^[A-Za-z0-9_-]{1,64}$');
  }
  return {
    ack: ack as string[],
    setErrs: setErrs as PollRequest['setErrs'],
    maxEvents: maxEvents as number,
    returnImmediately,
    stream,
  };
}

/**
 * RFC 8936 poll delivery of revocation SETs to a resource server: acknowledge, then deliver
 * what this stream has not acknowledged, oldest first; with nothing to deliver and
 * returnImmediately false, wait (bounded) for a revocation on any node.
 */
export class PollRevocationEvents {
  constructor(
    private readonly store: RevocationFeedStore,
    private readonly signer: SecurityEventSigner,
    private readonly waiter: RevocationWaiter,
    private readonly settings: { maxWaitMs: number },
  ) {}

  async execute(client: Client, req: PollRequest, signal?: AbortSignal): Promise<PollResponse> {
    const rs = client.resourceServer;
    if (!rs) throw new DomainError('access_denied', 'only a resource server may read this feed');
    // RFC 8936 §2.4.2: an error report also acknowledges the SET; it is not sent again.
    const acked = [...req.ack, ...Object.keys(req.setErrs)]
      .map((j) => seqOfSetJti(j, rs.id))
      .filter((s): s is number => s !== undefined);
    const query = {
      tenantId: client.tenantId,
      resourceServerId: rs.id,
      stream: req.stream,
      maxEvents: req.maxEvents,
    };
    const deadline = Date.now() + this.settings.maxWaitMs;
    let since = this.waiter.heard();
    let polled = await this.store.poll({ ...query, acked });
    const waits = !req.returnImmediately && req.maxEvents > 0;
    while (waits && polled.events.length === 0 && !signal?.aborted) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      if (!(await this.waiter.wait(left, signal, since)) || signal?.aborted) break;
      since = this.waiter.heard();
      polled = await this.store.poll({ ...query, acked: [] });
    }
    const sets: Record<string, string> = {};
    const signed = await Promise.all(
      polled.events.map((e) => this.signer.sign(e, rs.id, rs.identifier)),
    );
    polled.events.forEach((e, i) => (sets[setJti(e.seq, rs.id)] = signed[i]!));
    return { sets, moreAvailable: polled.moreAvailable };
  }
}
