import type { ActiveSession } from '@tessera/application/session/session';
import type { SessionTokenView } from '@tessera/application/session/session-tokens';
import type { MintedTokens } from '@tessera/application/tokens/token-response';
import { html, layout, type Html } from './layout';

export interface AccountView {
  session: ActiveSession;
  tokens: SessionTokenView[];
  allowedScopes: readonly string[];
  minted?: MintedTokens;
  error?: string;
}

const csrfField = (s: ActiveSession) =>
  html`<input type="hidden" name="_csrf" value="${s.csrf}" />`;

function tokenRows(v: AccountView): Html {
  if (!v.tokens.length) return html`<p>You have no API tokens yet.</p>`;
  return html`<table>
    <caption>
      Your API tokens
    </caption>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Kind</th>
        <th scope="col">Scopes</th>
        <th scope="col">Expires</th>
        <th scope="col">Status</th>
        <th scope="col"><span class="visually-hidden">Actions</span></th>
      </tr>
    </thead>
    <tbody>
      ${v.tokens.map(
        (t) =>
          html`<tr data-jti="${t.id}">
            <td>${t.name ?? '—'}</td>
            <td>${t.kind}</td>
            <td>${t.scopes.join(' ')}</td>
            <td>${t.expires_at}</td>
            <td>${t.revoked_at ? 'revoked' : 'active'}</td>
            <td>
              ${
                t.revoked_at
                  ? ''
                  : html`<form method="post" action="/account/tokens/${t.id}/revoke">
                      ${csrfField(v.session)}
                      <button type="submit" aria-label="Revoke ${t.name ?? t.id}">Revoke</button>
                    </form>`
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function accountPage(v: AccountView): string {
  const s = v.session;
  return layout(
    'Your account',
    html`<h1>Your account</h1>
      <dl>
        <dt>Name</dt>
        <dd id="who-name">${s.name ?? '—'}</dd>
        <dt>Email</dt>
        <dd id="who-email">${s.email ?? '—'}</dd>
        <dt>Organisation</dt>
        <dd id="who-tenant">${s.tenantSlug}</dd>
        <dt>Role</dt>
        <dd id="who-role">${s.role}</dd>
      </dl>
      ${
        v.minted
          ? html`<section aria-labelledby="minted-h">
              <h2 id="minted-h">Your new token</h2>
              <p role="status">Copy it now: it will not be shown again.</p>
              <p>Access token</p>
              <p class="secret" id="minted-access-token">${v.minted.access_token}</p>
              <p>Scopes: ${v.minted.scope ?? ''}; expires ${v.minted.expires_at}</p>
            </section>`
          : ''
      }
      <h2>Create an API token</h2>
      ${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
      <form method="post" action="/account/tokens">
        ${csrfField(s)} <label for="token-name">Name</label
        ><input id="token-name" name="name" maxlength="100" required />
        <fieldset>
          <legend>Scopes</legend>
          ${v.allowedScopes.map(
            (sc) =>
              html`<label><input type="checkbox" name="scopes" value="${sc}" /> ${sc}</label>`,
          )}
        </fieldset>
        <button type="submit">Create token</button>
      </form>
      <h2>Tokens</h2>
      ${tokenRows(v)}
      <form method="post" action="/auth/logout">
        ${csrfField(s)}<button type="submit">Sign out</button>
      </form>`,
  );
}
