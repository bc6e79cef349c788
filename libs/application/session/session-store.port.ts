import type { ActiveSession, PendingLogin, SessionData } from './session';

/**
 * Server-side sessions and pending logins. Ids are random secrets handed to the browser once;
 * the store keeps only their hash. `get` enforces the idle and absolute timeouts and slides
 * the idle one; `takePending` is single-use.
 */
export interface SessionStore {
  create(data: SessionData): Promise<{ id: string; idHash: string }>;
  get(id: string): Promise<ActiveSession | null>;
  destroy(id: string): Promise<void>;
  /**
   * Back-channel logout: ends every session of the IdP session `sid`, or (no `sid`) every
   * session of the IdP user `subject`, at `issuer`; with both, only sessions matching both.
   * Idempotent; returns the sessions it ended.
   */
  endIdpSessions(
    issuer: string,
    match: { sid?: string; subject?: string },
  ): Promise<{ tenantId: string; userId: string }[]>;
  savePending(login: PendingLogin): Promise<string>;
  takePending(id: string): Promise<PendingLogin | null>;
}

export interface SessionTimeouts {
  /** Seconds. */
  idleTtl: number;
  absoluteTtl: number;
  pendingLoginTtl: number;
}
