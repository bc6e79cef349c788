import type { Role } from '@tessera/domain/tenant/membership';

/** A signed-in browser: kept server-side only; the cookie carries an opaque id. */
export interface SessionData {
  tenantId: string;
  tenantSlug: string;
  userId: string;
  /** The upstream identity (Authentik issuer and `sub`). */
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  role: Role;
  /** For RP-initiated logout (`id_token_hint`); never leaves the server otherwise. */
  idToken: string;
  /** The IdP's session (`sid` of the ID token), so a back-channel logout can find this one. */
  idpSid?: string | null;
  /** Synchronizer token for cookie-authenticated writes. */
  csrf: string;
  /** Epoch milliseconds; the absolute timeout counts from here. */
  createdAt: number;
}

export interface ActiveSession extends SessionData {
  /** SHA-256 of the cookie secret: what logs, rate limits and the store key may name. */
  idHash: string;
}

/** A login between /auth/login and /auth/callback, bound to the browser by its cookie. */
export interface PendingLogin {
  tenantSlug: string;
  returnTo: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  createdAt: number;
}
