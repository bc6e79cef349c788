import type { LogoutClaims } from './logout-token.port';

/**
 * What the upstream IdP (Authentik) vouched for, after openid-client checked the ID token:
 * claims from the ID token, completed from UserInfo (same `sub`) where the ID token lacks them.
 */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  groups: unknown[];
  idToken: string;
  /** The IdP's session id (`sid`), which back-channel logout names. */
  sid: string | null;
}

export interface AuthorizationRequest {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The OIDC relying party: code flow with PKCE S256, state and nonce. */
export interface IdentityProvider {
  readonly configured: boolean;
  beginLogin(): Promise<AuthorizationRequest>;
  /** `callbackUrl` is the full URL the browser came back on; all checks are mandatory. */
  completeLogin(
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<VerifiedIdentity>;
  /** RP-initiated logout URL, or null when the IdP has no end_session_endpoint. */
  logoutUrl(idTokenHint: string): Promise<string | null>;
  /**
   * Back-Channel Logout 1.0 §2.6: signature against this IdP's keys only, `iss`, `aud` = our
   * client id, `iat` window, `events`, no `nonce`, `sid` and/or `sub`. Throws `invalid_request`.
   */
  verifyLogoutToken(token: string): Promise<LogoutClaims>;
}
