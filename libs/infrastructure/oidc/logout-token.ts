import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { LogoutClaims } from '@tessera/application/sign-in/logout-token.port';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const MAX_TOKEN_LENGTH = 16_384;
/** Explicit typing (spec §2.4) is optional, so absent is fine; any other type is refused. */
const TYPES = new Set(['logout+jwt', 'application/logout+jwt', 'jwt']);

export interface LogoutTokenChecks {
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  algorithms: string[];
  leewaySeconds: number;
  maxAgeSeconds: number;
}

const bad = (why: string) => new DomainError('invalid_request', `invalid logout token: ${why}`);
const str = (v: unknown, max = 255) => typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * Back-Channel Logout 1.0 §2.6 with jose: keys come only from the configured IdP's JWKS and
 * the algorithm from our allow-list (never from the token); then the logout-specific claims.
 * Failures say which check failed, never echo the token.
 */
export async function verifyLogoutToken(
  token: string,
  c: LogoutTokenChecks,
): Promise<LogoutClaims> {
  if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) throw bad('not a JWS');
  let payload: Record<string, unknown>;
  let typ: unknown;
  try {
    const r = await jwtVerify(token, c.keys, {
      issuer: c.issuer,
      audience: c.audience,
      algorithms: c.algorithms,
      clockTolerance: c.leewaySeconds,
      maxTokenAge: c.maxAgeSeconds,
      // §2.4 (final, incorporating errata set 1): iat, exp, jti and events are REQUIRED.
      requiredClaims: ['iat', 'exp', 'jti', 'events'],
    });
    payload = r.payload as Record<string, unknown>;
    typ = r.protectedHeader.typ;
  } catch (e) {
    if (
      e instanceof errors.JWKSTimeout ||
      (e instanceof TypeError && !(e as { code?: unknown }).code)
    ) {
      throw new DomainError(
        'temporarily_unavailable',
        'the identity provider’s keys cannot be fetched',
      );
    }
    if (e instanceof errors.JOSEError) throw bad(e.code.replace(/^ERR_/, '').toLowerCase());
    throw bad('malformed');
  }
  if (typ !== undefined && (typeof typ !== 'string' || !TYPES.has(typ.toLowerCase()))) {
    throw bad('unexpected typ');
  }
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event))
    throw bad('no back-channel logout event');
  if ('nonce' in payload) throw bad('a logout token must not carry a nonce');
  if (!str(payload.jti)) throw bad('jti');
  const sid = payload.sid;
  const sub = payload.sub;
  if ((sid !== undefined && !str(sid)) || (sub !== undefined && !str(sub))) throw bad('sid or sub');
  if (sid === undefined && sub === undefined) throw bad('neither sid nor sub');
  return {
    issuer: c.issuer,
    jti: payload.jti as string,
    issuedAt: payload.iat as number,
    sid: sid as string | undefined,
    subject: sub as string | undefined,
  };
}
