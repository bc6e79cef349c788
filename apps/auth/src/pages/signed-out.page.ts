import { html, layout } from './layout';

export function signedOutPage(): string {
  return layout(
    'Signed out',
    html`<h1>You are signed out</h1>
      <p><a href="/sign-in">Sign in again</a></p>`,
  );
}
