import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type FlattenedJWSInput,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { TrustedIssuer } from '@tessera/domain/federation/trusted-issuer';
import type {
  SubjectTokenVerifier,
  VerifiedSubjectToken,
} from '@tessera/application/exchange-token/subject-token-verifier.port';

export interface SubjectTokenVerifierOptions {
  leewaySeconds: number;
  production: boolean;
  /** JWKS fetch timeout (ms). */
  timeoutMs?: number;
  /** Minimum ms between refetches triggered by an unknown kid. */
  cooldownMs?: number;
  /** How long fetched keys are used before a refetch (ms). */
  cacheMaxAgeMs?: number;
  /** How many issuers' key sets are kept. */
  maxIssuers?: number;
}

/** Asymmetric only: HS* would need a shared secret and `none` signs nothing. */
export const SUBJECT_TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** External tokens carry more claims than ours (groups); the form body limit bounds it too. */
export const MAX_SUBJECT_TOKEN_LENGTH = 12_000;
const COMPACT_JWS = /^[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Header members that name keys or URLs. Tessera never fetches what a token names. */
const FORBIDDEN_HEADER = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64'] as const;

type RemoteJwks = ReturnType<typeof createRemoteJWKSet>;

/** RFC 8693 §2.2.2: an invalid or unacceptable subject_token is invalid_request. */
const rejected = (why = 'the subject token is invalid') => new DomainError('invalid_request', why);

class JwksUnreachable extends Error {}

/**
 * Verifies external subject tokens with jose against the JWKS configured for the tenant's
 * trusted issuer. Key sets are cached per JWKS URL (bounded LRU; jose refetches after
 * cacheMaxAge, or on an unknown kid at most once per cooldown).
 */
export class JoseSubjectTokenVerifier implements SubjectTokenVerifier {
  private readonly jwks: LRUCache<string, RemoteJwks>;

  constructor(private readonly opts: SubjectTokenVerifierOptions) {
    this.jwks = new LRUCache({ max: opts.maxIssuers ?? 256 });
  }

  unverifiedIssuer(token: string): string {
    if (typeof token !== 'string' || token.length > MAX_SUBJECT_TOKEN_LENGTH) throw rejected();
    if (!COMPACT_JWS.test(token)) throw rejected('the subject token is not a signed JWT');
    let header: ReturnType<typeof decodeProtectedHeader>;
    let iss: unknown;
    try {
      header = decodeProtectedHeader(token);
      iss = decodeJwt(token).iss;
    } catch {
      throw rejected('the subject token is not a signed JWT');
    }
    if (typeof header.alg !== 'string' || !SUBJECT_TOKEN_ALGORITHMS.includes(header.alg)) {
      throw rejected('the subject token’s algorithm is not accepted');
    }
    if (FORBIDDEN_HEADER.some((m) => m in header)) {
      throw rejected('the subject token’s header names a key or URL; none is ever used');
    }
    if (typeof iss !== 'string' || !iss || iss.length > 2048) {
      throw rejected('the subject token has no iss claim');
    }
    return iss;
  }

  async verify(token: string, trusted: TrustedIssuer): Promise<VerifiedSubjectToken> {
    // The unverified header and iss were checked by unverifiedIssuer; check again here so
    // this method is safe on its own.
    if (this.unverifiedIssuer(token) !== trusted.issuer) throw rejected();
    if (this.opts.production && !trusted.jwksUri.startsWith('https://')) {
      throw rejected('the subject token’s issuer is not trusted by this tenant');
    }
    const remote = this.remoteJwks(trusted.jwksUri);
    try {
      const { payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters, input: FlattenedJWSInput) => {
          try {
            return await remote(header, input);
          } catch (e) {
            if (e instanceof errors.JWKSNoMatchingKey) throw e;
            if (e instanceof errors.JWKSMultipleMatchingKeys) throw e;
            throw new JwksUnreachable();
          }
        },
        {
          issuer: trusted.issuer,
          audience: trusted.audience,
          algorithms: SUBJECT_TOKEN_ALGORITHMS,
          clockTolerance: this.opts.leewaySeconds,
          requiredClaims: ['iss', 'aud', 'exp', 'sub'],
        },
      );
      return { sub: payload.sub!, iss: payload.iss!, claims: payload };
    } catch (e) {
      if (e instanceof JwksUnreachable) {
        throw new DomainError(
          'temporarily_unavailable',
          'the subject token issuer’s keys could not be fetched; retry later',
        );
      }
      if (e instanceof errors.JWTExpired) throw rejected('the subject token has expired');
      if (e instanceof errors.JWTClaimValidationFailed) {
        throw rejected(`the subject token’s ${claimName(e.claim)} claim is not acceptable`);
      }
      throw rejected();
    }
  }

  private remoteJwks(uri: string): RemoteJwks {
    let jwks = this.jwks.get(uri);
    if (!jwks) {
      jwks = createRemoteJWKSet(new URL(uri), {
        timeoutDuration: this.opts.timeoutMs ?? 3000,
        cooldownDuration: this.opts.cooldownMs ?? 30_000,
        cacheMaxAge: this.opts.cacheMaxAgeMs ?? 600_000,
      });
      this.jwks.set(uri, jwks);
    }
    return jwks;
  }
}

/** Only claim names we know, so the description never echoes token content. */
function claimName(claim: string): string {
  return ['iss', 'aud', 'exp', 'nbf', 'iat', 'sub'].includes(claim) ? claim : 'a';
}
