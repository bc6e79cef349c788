import { Logger } from '@nestjs/common';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type {
  AuthorizationRequest,
  IdentityProvider,
  VerifiedIdentity,
} from '@tessera/application/sign-in/identity-provider.port';
import type { LogoutClaims } from '@tessera/application/sign-in/logout-token.port';
import { upstreamRejected } from '@tessera/application/sign-in/sign-in.errors';
import { verifyLogoutToken } from './logout-token';

export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  scope: string;
  groupsClaim: string;
  /** Seconds of clock skew tolerated on `iat`/`exp`. */
  leewaySeconds: number;
  logoutTokenMaxAge: number;
}

/** ID tokens and logout tokens: the one algorithm we register with the IdP. */
const IDP_ALGORITHMS = ['RS256'];

const str = (v: unknown) => (typeof v === 'string' && v.length <= 320 ? v : null);

const unreachable = (cause?: unknown) =>
  new DomainError('temporarily_unavailable', 'the identity provider cannot be reached', { cause });

/**
 * The relying party on openid-client v6's functional API. Discovery is lazy and retried on
 * the next login when it fails, so Tessera boots while Authentik is still starting.
 */
export class OpenIdClientIdentityProvider implements IdentityProvider {
  readonly configured = true;
  private readonly log = new Logger('OIDC');
  private config?: Promise<oidc.Configuration>;
  private jwks?: { uri: string; keys: JWTVerifyGetKey };

  constructor(private readonly s: OidcSettings) {}

  private discover(): Promise<oidc.Configuration> {
    this.config ??= oidc
      .discovery(
        new URL(this.s.issuerUrl),
        this.s.clientId,
        { redirect_uris: [this.s.redirectUri], id_token_signed_response_alg: IDP_ALGORITHMS[0] },
        oidc.ClientSecretBasic(this.s.clientSecret),
        {
          // openid-client skips the ID token's signature when it came straight from the token
          // endpoint (OIDC Core 3.1.3.7 lets TLS vouch for it); we check it anyway.
          // Plain http only for a loopback or development IdP: config refuses it in production.
          execute: [
            oidc.enableNonRepudiationChecks,
            ...(this.s.issuerUrl.startsWith('http:') ? [oidc.allowInsecureRequests] : []),
          ],
          timeout: 10,
        },
      )
      .catch((e: unknown) => {
        this.config = undefined;
        this.log.warn(`discovery of ${this.s.issuerUrl} failed: ${(e as Error).message}`);
        throw unreachable();
      });
    return this.config;
  }

  async beginLogin(): Promise<AuthorizationRequest> {
    const config = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.s.redirectUri,
      scope: this.s.scope,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  async completeLogin(
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<VerifiedIdentity> {
    const config = await this.discover();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        pkceCodeVerifier: expected.codeVerifier,
        idTokenExpected: true,
      });
    } catch (e) {
      const err = e as Error & { code?: string; error?: string };
      // The message names the failed check (nonce, iss, aud, signature), never token material.
      this.log.warn(`sign-in rejected: ${err.code ?? err.name}: ${err.error ?? err.message}`);
      if (err instanceof TypeError && !err.code) throw unreachable(err);
      if (err instanceof oidc.AuthorizationResponseError && err.error === 'access_denied') {
        throw new DomainError('access_denied', 'sign-in was cancelled at the identity provider');
      }
      throw upstreamRejected();
    }
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw upstreamRejected();
    const all = {
      ...(await this.userInfoIfNeeded(config, claims, tokens.access_token)),
      ...claims,
    };
    const groups = all[this.s.groupsClaim];
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: str(all.email),
      name: str(all.name) ?? str(all.preferred_username),
      groups: Array.isArray(groups) ? groups : [],
      idToken: tokens.id_token,
      sid: typeof claims.sid === 'string' && claims.sid.length <= 255 ? claims.sid : null,
    };
  }

  /**
   * OIDC Core §5.4: a conforming provider returns scope claims from UserInfo, not in the ID
   * token. Asked only when the ID token lacks one we use; openid-client refuses an answer whose
   * `sub` differs from the ID token's (§5.3.2), and so do we: no identity, no session.
   */
  private async userInfoIfNeeded(
    config: oidc.Configuration,
    claims: oidc.IDToken,
    accessToken: string,
  ): Promise<Record<string, unknown>> {
    const complete =
      Array.isArray(claims[this.s.groupsClaim]) &&
      str(claims.email) !== null &&
      (str(claims.name) ?? str(claims.preferred_username)) !== null;
    if (complete || !config.serverMetadata().userinfo_endpoint) return {};
    try {
      return await oidc.fetchUserInfo(config, accessToken, claims.sub);
    } catch (e) {
      const err = e as Error & { code?: string };
      this.log.warn(`UserInfo rejected: ${err.code ?? err.name}: ${err.message}`);
      if (err instanceof TypeError && !err.code) throw unreachable(err);
      throw upstreamRejected();
    }
  }

  async verifyLogoutToken(token: string): Promise<LogoutClaims> {
    const meta = (await this.discover()).serverMetadata();
    if (!meta.jwks_uri) throw unreachable();
    // The discovered issuer's own JWKS (cached by jose, refetched for an unknown kid).
    if (this.jwks?.uri !== meta.jwks_uri) {
      this.jwks = { uri: meta.jwks_uri, keys: createRemoteJWKSet(new URL(meta.jwks_uri)) };
    }
    return verifyLogoutToken(token, {
      keys: this.jwks.keys,
      issuer: meta.issuer,
      audience: this.s.clientId,
      algorithms: IDP_ALGORITHMS,
      leewaySeconds: this.s.leewaySeconds,
      maxAgeSeconds: this.s.logoutTokenMaxAge,
    });
  }

  async logoutUrl(idTokenHint: string): Promise<string | null> {
    const config = await this.discover().catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(config, {
      id_token_hint: idTokenHint,
      post_logout_redirect_uri: this.s.postLogoutRedirectUri,
      client_id: this.s.clientId,
    }).href;
  }
}

/** Stands in when OIDC_* is unset: every sign-in route answers "not configured". */
export const unconfiguredIdentityProvider: IdentityProvider = {
  configured: false,
  beginLogin: () => Promise.reject(new DomainError('temporarily_unavailable', 'not configured')),
  completeLogin: () => Promise.reject(new DomainError('temporarily_unavailable', 'not configured')),
  logoutUrl: async () => null,
  verifyLogoutToken: () =>
    Promise.reject(new DomainError('invalid_request', 'back-channel logout is not configured')),
};
