import { createHash, randomBytes } from 'node:crypto';
import type { SessionTimeouts } from '@tessera/application/session/session-store.port';
import { isTenantId } from '@tessera/domain/tenant/tenant-id';

const SECRET = /^[A-Za-z0-9_-]{43}$/;

export const newSecret = (): string => randomBytes(32).toString('base64url');
export const hashSecret = (secret: string): string =>
  createHash('sha256').update(secret).digest('hex');

/** Session ids are `<tenant id>.<secret>`: the tenant names the Redis namespace. */
export function newSessionId(tenantId: string): { id: string; secret: string } {
  const secret = newSecret();
  return { id: `${tenantId}.${secret}`, secret };
}

export function parseSessionId(id: unknown): { tenantId: string; secret: string } | null {
  if (typeof id !== 'string' || id.length > 200) return null;
  const dot = id.lastIndexOf('.');
  const tenantId = id.slice(0, dot);
  const secret = id.slice(dot + 1);
  if (dot < 1 || !isTenantId(tenantId) || !SECRET.test(secret)) return null;
  return { tenantId, secret };
}

export const isPendingId = (id: unknown): id is string => typeof id === 'string' && SECRET.test(id);

/** Seconds left before the idle or the absolute timeout, whichever comes first. */
export function remainingTtl(createdAt: number, idleTtl: number, absoluteTtl: number): number {
  const absoluteLeft = Math.floor((createdAt + absoluteTtl * 1000 - Date.now()) / 1000);
  return Math.min(idleTtl, absoluteLeft);
}

/** Index key part for an IdP session or user: the hash of issuer and value, never the value. */
export const idpIndexHash = (issuer: string, value: string): string =>
  createHash('sha256').update(`${issuer}\n${value}`).digest('hex');

/** Whether a stored session is one a back-channel logout for `match` at `issuer` names. */
export function matchesIdp(
  s: { issuer: string; subject: string; idpSid?: string | null },
  issuer: string,
  match: { sid?: string; subject?: string },
): boolean {
  if (s.issuer !== issuer || (!match.sid && !match.subject)) return false;
  if (match.sid !== undefined && s.idpSid !== match.sid) return false;
  return match.subject === undefined || s.subject === match.subject;
}

/*
 * What both session stores (memory, Redis) do alike: ids and hashes, TTLs, the IdP index.
 */

/** A new session: the id its cookie carries, the hash it is kept under, its first TTL. */
export function newSession(data: { tenantId: string; createdAt: number }, t: SessionTimeouts) {
  const { id, secret } = newSessionId(data.tenantId);
  return { id, idHash: hashSecret(secret), ttl: sessionTtl(data.createdAt, t) };
}

/** A presented session id: its tenant and the hash it is kept under; null if malformed. */
export function sessionRef(id: string): { tenantId: string; idHash: string } | null {
  const parsed = parseSessionId(id);
  return parsed && { tenantId: parsed.tenantId, idHash: hashSecret(parsed.secret) };
}

export const sessionTtl = (createdAt: number, t: SessionTimeouts): number =>
  remainingTtl(createdAt, t.idleTtl, t.absoluteTtl);

/** A pending login's id and the hash it is kept under. */
export function newPendingLogin(): { id: string; idHash: string } {
  const id = newSecret();
  return { id, idHash: hashSecret(id) };
}

/** The hash a presented pending-login id is kept under; null if malformed. */
export const pendingHash = (id: string): string | null => (isPendingId(id) ? hashSecret(id) : null);

/** A session's IdP index entries: `sub:<hash>`, and `sid:<hash>` with an IdP session. */
export function idpIndexes(s: { issuer: string; subject: string; idpSid?: string | null }) {
  const entries = [`sub:${idpIndexHash(s.issuer, s.subject)}`];
  if (s.idpSid) entries.push(`sid:${idpIndexHash(s.issuer, s.idpSid)}`);
  return entries;
}

/** The index entry a back-channel logout names: its IdP session if given, else its user. */
export function idpIndexOf(issuer: string, match: { sid?: string; subject?: string }) {
  if (match.sid) return `sid:${idpIndexHash(issuer, match.sid)}`;
  return match.subject ? `sub:${idpIndexHash(issuer, match.subject)}` : undefined;
}
