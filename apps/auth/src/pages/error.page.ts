import { html, layout } from './layout';

const TITLES: Record<number, string> = {
  400: 'This request cannot be handled',
  401: 'Please sign in',
  403: 'Access denied',
  404: 'Not found',
  429: 'Too many requests',
  503: 'Sign-in is unavailable',
};

export function errorPage(status: number, description: string): string {
  const title = TITLES[status] ?? 'Something went wrong';
  return layout(
    title,
    html`<h1>${title}</h1>
      <p class="error" role="alert">${description}</p>
      <p><a href="/sign-in">Back to sign-in</a></p>`,
  );
}
