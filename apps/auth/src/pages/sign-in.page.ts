import { html, layout } from './layout';

export function signInPage(opts: { tenant?: string; returnTo?: string }): string {
  return layout(
    'Sign in',
    html`<h1>Sign in to Tessera</h1>
      <form method="get" action="/auth/login">
        <label for="tenant">Organisation</label>
        <input
          id="tenant"
          name="tenant"
          required
          pattern="[a-z0-9-]{1,63}"
          autocomplete="organization"
          value="${opts.tenant ?? ''}"
        />
        ${opts.returnTo ? html`<input type="hidden" name="return_to" value="${opts.returnTo}" />` : ''}
        <button type="submit">Sign in with your company account</button>
      </form>`,
  );
}
