import { createHash } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
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

/**
 * The client a token request names, before it is authenticated: the Basic user
 * (RFC 6749 §2.3.1 form-encoded) or the `client_id` form field. Unnamed → the address.
 */
export function clientKey(req: Request): string {
  const auth = req.headers.authorization;
  const basic = auth ? /^Basic\s+([A-Za-z0-9+/=]{1,2048})\s*$/i.exec(auth) : null;
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return `client:${decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '))}`;
      } catch {
        // A malformed id is refused by client authentication; count it by address meanwhile.
      }
    }
  }
  const body = req.body as Record<string, unknown> | undefined;
  const id = body?.client_id;
  if (typeof id === 'string' && id) return `client:${id}`;
  return ipKey(req);
}

/**
 * The session minting the token: the hash the session layer put on `req.tessera.sessionId`,
 * else the hash of the session cookie itself (an invalid cookie is refused right after).
 */
export function sessionKey(req: Request): string {
  // Set by the session layer's middleware (apps/auth/src/session) before any guard runs.
  const resolved = (req as { tessera?: { sessionId?: unknown } }).tessera?.sessionId;
  if (typeof resolved === 'string') return `session:${resolved}`;
  const header = req.headers.cookie;
  if (header) {
    const cookies = parseCookies(header);
    const name = Object.keys(cookies)
      .filter((n) => /session/i.test(n))
      .sort()[0];
    const value = name ? cookies[name] : undefined;
    if (value) return `session:${sha256(value)}`;
  }
  return ipKey(req);
}

/** Redis key for a counter: one namespace, no raw client id or address in Redis. */
export const counterKey = (throttler: string, tracker: string) =>
  `tessera:ratelimit:${throttler}:${sha256(tracker)}`;
