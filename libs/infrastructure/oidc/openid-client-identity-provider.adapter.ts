import { Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type {
  AuthorizationRequest,
  IdentityProvider,
  VerifiedIdentity,
} from '@tessera/application/sign-in/identity-provider.port';
import { upstreamRejected } from '@tessera/application/sign-in/sign-in.errors';

export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  scope: string;
  groupsClaim: string;
}

const unreachable = () =>
  new DomainError('temporarily_unavailable', 'the identity provider cannot be reached');

/**
 * The relying party on openid-client v6's functional API. Discovery is lazy and retried on
 * the next login when it fails, so Tessera boots while Authentik is still starting.
 */
export class OpenIdClientIdentityProvider implements IdentityProvider {
  readonly configured = true;
  private readonly log = new Logger('OIDC');
  private config?: Promise<oidc.Configuration>;

  constructor(private readonly s: OidcSettings) {}

  private discover(): Promise<oidc.Configuration> {
    this.config ??= oidc
      .discovery(
        new URL(this.s.issuerUrl),
        this.s.clientId,
        { redirect_uris: [this.s.redirectUri], id_token_signed_response_alg: 'RS256' },
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
      if (err instanceof TypeError && !err.code) throw unreachable();
      if (err instanceof oidc.AuthorizationResponseError && err.error === 'access_denied') {
        throw new DomainError('access_denied', 'sign-in was cancelled at the identity provider');
      }
      throw upstreamRejected();
    }
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw upstreamRejected();
    const str = (v: unknown) => (typeof v === 'string' && v.length <= 320 ? v : null);
    const groups = claims[this.s.groupsClaim];
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: str(claims.email),
      name: str(claims.name) ?? str(claims.preferred_username),
      groups: Array.isArray(groups) ? groups : [],
      idToken: tokens.id_token,
    };
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
};
