import { createHash, randomBytes } from 'node:crypto';
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
