import type { TrustedIssuer } from '@tessera/domain/federation/trusted-issuer';

export interface VerifiedSubjectToken {
  sub: string;
  iss: string;
  claims: Readonly<Record<string, unknown>>;
}

/**
 * Checks a subject token presented for exchange. Failures are DomainErrors: the token's own
 * fault → invalid_request (RFC 8693 §2.2.2); the issuer's keys unreachable →
 * temporarily_unavailable.
 */
export interface SubjectTokenVerifier {
  /**
   * The `iss` claim, read WITHOUT verification, only to pick the tenant's trusted-issuer row.
   * Refuses malformed tokens, algorithms outside the allow-list and headers naming keys or
   * URLs (jku, x5u, jwk, x5c) before anything is looked up or fetched.
   */
  unverifiedIssuer(token: string): string;
  /** Signature against the row's JWKS only; exact iss, aud, exp (required), nbf. */
  verify(token: string, trusted: TrustedIssuer): Promise<VerifiedSubjectToken>;
}
