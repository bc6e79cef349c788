import {
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/**
 * The access-token rules Tessera's own verifier and @tessera/resource-server both apply (RFC 9068,
 * RFC 8725): one module, so an API never accepts a token Tessera itself would refuse.
 */

export const ACCESS_TOKEN_TYP = 'at+jwt';
/** The algorithms Tessera signs with; a token naming any other is refused before key lookup. */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
/** Generous for any real token of ours, small enough that hostile input costs nothing. */
export const MAX_TOKEN_LENGTH = 8192;
export const REQUIRED_ACCESS_CLAIMS = [
  'aud',
  'exp',
  'iat',
  'jti',
  'sub',
  'client_id',
  'org',
] as const;

const COMPACT_JWS = /^[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Header members naming keys or URLs: we never use them, so their presence is suspect. */
export const FORBIDDEN_HEADER = ['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64'] as const;

export type RuleFailure = 'malformed' | 'expired' | 'invalid';

/** A token broke a rule; callers map it to their own `invalid_token` error. */
export class TokenRuleViolation extends Error {
  constructor(readonly failure: RuleFailure) {
    super(`access token ${failure}`);
    this.name = 'TokenRuleViolation';
  }
}

export interface AccessTokenRules {
  issuer: string;
  /** Required by every resource server; only Tessera's own revocation and introspection omit
   * it, to serve tokens of any audience (`aud` must still be present). */
  audience?: string;
  leewaySeconds: number;
  /** Defaults to at+jwt; the revocation feed's SETs use secevent+jwt. */
  typ?: string;
  requiredClaims?: readonly string[];
}

/** The header checks made before any key is looked up; returns the kid to look up. */
export function kidOf(header: JWTHeaderParameters): string {
  if (FORBIDDEN_HEADER.some((m) => m in header)) throw new TokenRuleViolation('invalid');
  if (typeof header.kid !== 'string' || !KID.test(header.kid)) {
    throw new TokenRuleViolation('invalid');
  }
  return header.kid;
}

/** The algorithm comes from the key, never from the token: the header must name the key's own. */
export function assertKeyAlgorithm(keyAlg: string | undefined, header: JWTHeaderParameters): void {
  if (!keyAlg || header.alg !== keyAlg) throw new TokenRuleViolation('invalid');
}

/** Resolves the key for a kid that passed the header checks (throw or return undefined to refuse). */
export type KeyForKid = (
  kid: string,
  header: JWTHeaderParameters,
) => Promise<VerifyKey | undefined> | VerifyKey | undefined;
type VerifyKey = Awaited<ReturnType<JWTVerifyGetKey>>;

/**
 * Verifies signature and claims: shape and size first, then the header rules, the key from
 * `keyFor`, then typ, exact iss, aud, exp/nbf with leeway and the required claims.
 */
export async function verifyWithRules(
  token: unknown,
  keyFor: KeyForKid,
  rules: AccessTokenRules,
  onHeader?: (header: JWTHeaderParameters) => void,
): Promise<JWTPayload> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw new TokenRuleViolation('malformed');
  }
  try {
    const { payload } = await jwtVerify(
      token,
      async (header: JWTHeaderParameters) => {
        onHeader?.(header);
        if (!(ALLOWED_ALGORITHMS as readonly unknown[]).includes(header.alg)) {
          throw new TokenRuleViolation('invalid');
        }
        const key = await keyFor(kidOf(header), header);
        if (!key) throw new TokenRuleViolation('invalid');
        return key;
      },
      {
        issuer: rules.issuer,
        ...(rules.audience !== undefined ? { audience: rules.audience } : {}),
        typ: rules.typ ?? ACCESS_TOKEN_TYP,
        clockTolerance: rules.leewaySeconds,
        requiredClaims: [...(rules.requiredClaims ?? REQUIRED_ACCESS_CLAIMS)],
      },
    );
    return payload;
  } catch (e) {
    if (e instanceof errors.JWTExpired) throw new TokenRuleViolation('expired');
    throw new TokenRuleViolation('invalid');
  }
}
