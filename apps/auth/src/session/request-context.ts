import type { Request } from 'express';
import type { ActiveSession } from '@tessera/application/session/session';
import type { AccessClaims } from '@tessera/domain/token/access-claims';

export type Principal =
  { kind: 'session'; session: ActiveSession } | { kind: 'bearer'; claims: AccessClaims };

/**
 * Per-request facts other layers read (logs): `sessionId` is the SHA-256 of the session
 * cookie's secret, never the cookie itself.
 */
export interface TesseraRequestContext {
  sessionId?: string;
  principal?: Principal;
}

export type TesseraRequest = Request & { tessera?: TesseraRequestContext };

export function context(req: Request): TesseraRequestContext {
  const r = req as TesseraRequest;
  r.tessera ??= {};
  return r.tessera;
}
