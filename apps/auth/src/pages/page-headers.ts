import { createHash } from 'node:crypto';
import type { Response } from 'express';

export const PAGE_CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.5rem}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ccc}
label{display:block;margin-top:.5rem}input{font:inherit;padding:.25rem}button{font:inherit;padding:.25rem .75rem;margin-top:.5rem}
.secret{font-family:monospace;word-break:break-all;background:#f4f4f4;padding:.5rem}.error{color:#a00}`;

const CSS_HASH = createHash('sha256').update(PAGE_CSS).digest('base64');

/**
 * No script at all, our one inline stylesheet by hash, forms only to us and (after our
 * redirects) to the IdP, never framed, never cached: pages may show a token once.
 */
export function setPageHeaders(res: Response, idpOrigin?: string): void {
  const formAction = ["'self'", idpOrigin].filter(Boolean).join(' ');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'sha256-${CSS_HASH}'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}
