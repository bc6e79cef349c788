import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActiveSession } from '@tessera/application/session/session';
import type { AccessClaims } from '@tessera/domain/token/access-claims';
import type { Client } from '@tessera/domain/token/client';
import { assignRequestId } from '../logging/request-id';

/** Who a request proved to be: resolved once, read by the rate limiter, handlers and logs. */
export type Principal =
  | { kind: 'client'; client: Client }
  /** The IdP that signed a back-channel logout token (counted per issuer, not per address). */
  | { kind: 'issuer'; issuer: string }
  | { kind: 'session'; session: ActiveSession }
  | { kind: 'bearer'; claims: AccessClaims };

/**
 * Everything a request carries past the edge, in one place (`req.tessera`). `sessionId` is the
 * SHA-256 of the session cookie's secret, never the cookie itself.
 */
export interface TesseraRequestContext {
  requestId?: string;
  /** Where logs find the tenant and client once they are known. */
  tenantId?: string;
  clientId?: string;
  principal?: Principal;
  sessionId?: string;
  /**
   * Checks already started for this request (RequestPrincipals): the rate limiter and the
   * handler share one outcome, success or failure, instead of checking twice.
   */
  pending?: {
    client?: { key: string; result: Promise<Client> };
    bearer?: { token: string; result: Promise<AccessClaims> };
    session?: { id: string; result: Promise<ActiveSession | null> };
  };
  /** Counted against its address before its client lookup (the anonymous limit skips it). */
  countedBeforeLookup?: boolean;
}

export type TesseraRequest = IncomingMessage & { tessera?: TesseraRequestContext };

/** The request's context, created on first use. */
export function requestContext(req: IncomingMessage): TesseraRequestContext {
  const r = req as TesseraRequest;
  r.tessera ??= {};
  return r.tessera;
}

const storage = new AsyncLocalStorage<TesseraRequestContext>();

export const RequestContext = {
  /** The current request's id for code far from `req` (the audit log). */
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
  /** Express middleware: the request id is assigned and the context is current from here on. */
  middleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const ctx = requestContext(req);
    ctx.requestId = assignRequestId(req, res);
    storage.run(ctx, next);
  },
};
