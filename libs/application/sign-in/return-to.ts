import { DomainError } from '@tessera/domain/shared/domain-error';

export const DEFAULT_RETURN_TO = '/account';
const PROBE_ORIGIN = 'http://tessera.invalid';

export const hasControlChar = (s: string): boolean =>
  [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * Only same-origin relative paths: a leading single slash, no backslash (browsers read `/\x`
 * as `//x`), no control characters, and the URL parser must agree it stays on our origin.
 */
export function safeReturnTo(value: unknown): string {
  if (value === undefined || value === '') return DEFAULT_RETURN_TO;
  const bad = () => new DomainError('invalid_request', 'return_to must be a path on this site');
  if (typeof value !== 'string' || value.length > 512) throw bad();
  if (!value.startsWith('/') || value.startsWith('//')) throw bad();
  if (value.includes('\\') || hasControlChar(value)) throw bad();
  let parsed: URL;
  try {
    parsed = new URL(value, PROBE_ORIGIN);
  } catch {
    throw bad();
  }
  // Dot segments can resolve `/..//host` into `//host`, which a browser reads as another origin.
  if (parsed.origin !== PROBE_ORIGIN || parsed.pathname.startsWith('//')) throw bad();
  if (parsed.pathname.startsWith('/auth/')) return DEFAULT_RETURN_TO;
  return parsed.pathname + parsed.search + parsed.hash;
}
