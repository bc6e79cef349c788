import { createHash } from 'node:crypto';
import type { Request } from 'express';
import ipaddr from 'ipaddr.js';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** The route template Express matched for Nest (`/api/v1/tokens/:id`), if any. */
export function matchedRoute(req: Request): string | undefined {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : undefined;
}

/**
 * The client address (`req.ip` honours X-Forwarded-For only under TRUST_PROXY). IPv6 clients
 * count per /64: one host usually owns a whole /64 and could rotate through it.
 */
export function ipKey(req: Request): string {
  const raw = req.ip ?? req.socket?.remoteAddress ?? '';
  if (!ipaddr.isValid(raw)) return `ip:${raw}`;
  const ip = ipaddr.process(raw);
  if (ip.kind() === 'ipv4') return `ip:${ip.toString()}`;
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `ip6:${parts.join(':')}::/64`;
}

/** Redis key for a counter: one namespace, no raw client id or address in Redis. */
export const counterKey = (throttler: string, tracker: string) =>
  `tessera:ratelimit:${throttler}:${sha256(tracker)}`;
