import { html, layout } from './layout';

/** GET /: what this server is and where to go, for a person who opens it in a browser. */
export function landingPage(opts: { signInConfigured: boolean; signedInAs?: string }): string {
  return layout(
    'Tessera',
    html`<h1>Tessera</h1>
      <p>
        This is Tessera, the token authority of this service: it signs short-lived OAuth access
        tokens for people and services, and publishes the keys that APIs verify them with.
      </p>
      <h2>People</h2>
      ${
        opts.signedInAs
          ? html`<p>You are signed in as ${opts.signedInAs}.</p>`
          : opts.signInConfigured
            ? html`<p><a href="/sign-in">Sign in with your company account</a></p>`
            : html`<p>Sign-in is not configured on this server.</p>`
      }
      <p><a href="/account">Your account and API tokens</a></p>
      <h2>Developers</h2>
      <ul>
        <li><a href="/docs">API documentation (OpenAPI)</a></li>
        <li>
          <a href="/.well-known/openid-configuration">OpenID configuration</a> and
          <a href="/.well-known/oauth-authorization-server">authorization server metadata</a>
        </li>
        <li><a href="/.well-known/jwks.json">Signing keys (JWKS)</a></li>
      </ul>`,
  );
}
