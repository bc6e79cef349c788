import { errors, jwtVerify, type JWTHeaderParameters } from 'jose';
import type { AccessClaims } from '@tessera/domain/token/access-claims';
import { ACCESS_TOKEN_TYP } from '@tessera/domain/token/access-claims';
import { invalidToken } from '@tessera/domain/token/token.errors';
import type { KeyRing } from './key-ring';

export interface VerifyOptions {
  issuer: string;
  /** Absent: any audience (revocation and introspection serve every resource server). */
  audience?: string;
  leewaySeconds: number;
}

/** Generous for any real token of ours, small enough that hostile input costs nothing. */
export const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Header members naming keys or URLs: we never use them, so their presence is suspect. */
const FORBIDDEN_HEADER = ['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64'] as const;

/**
 * Signature and claim checks for Tessera access tokens with jose: the key comes only from our
 * ring by kid, the algorithm only from that key (never from the token), typ must be at+jwt
 * (RFC 9068 §4), and iss/aud/exp/nbf are exact with a small leeway.
 */
export class JoseTokenVerifier {
  constructor(
    private readonly ring: KeyRing,
    private readonly opts: VerifyOptions,
    private readonly onKidSeen?: (kid: string) => void,
  ) {}

  async verify(token: string): Promise<AccessClaims> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      throw invalidToken('the access token is malformed');
    }
    try {
      const { payload } = await jwtVerify(
        token,
        (header: JWTHeaderParameters) => this.keyFor(header),
        {
          issuer: this.opts.issuer,
          ...(this.opts.audience !== undefined ? { audience: this.opts.audience } : {}),
          typ: ACCESS_TOKEN_TYP,
          clockTolerance: this.opts.leewaySeconds,
          requiredClaims: ['aud', 'exp', 'iat', 'jti', 'sub', 'client_id', 'org'],
        },
      );
      return payload as unknown as AccessClaims;
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw invalidToken('the access token has expired');
      if (e instanceof errors.JOSEError) throw invalidToken();
      if (e instanceof Error && e.name === 'DomainError') throw e;
      throw invalidToken();
    }
  }

  private keyFor(header: JWTHeaderParameters) {
    // Counted before any check: operators learn which kids clients still present, ours or not.
    if (typeof header.kid === 'string') this.onKidSeen?.(header.kid);
    if (FORBIDDEN_HEADER.some((m) => m in header)) throw invalidToken();
    if (typeof header.kid !== 'string' || !KID.test(header.kid)) throw invalidToken();
    const key = this.ring.verificationKey(header.kid);
    if (!key || header.alg !== key.alg) throw invalidToken();
    return key.publicKey;
  }
}
