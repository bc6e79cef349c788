import type { Request } from 'express';
import { invalidToken } from '@tessera/domain/token/token.errors';

/** RFC 6750 §2.1 bearer tokens in the Authorization header only (never in query strings). */
export function bearerToken(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(h.trim());
  if (!m) throw invalidToken('malformed Authorization header');
  return m[1];
}
