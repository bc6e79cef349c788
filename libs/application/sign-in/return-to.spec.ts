import { DEFAULT_RETURN_TO, safeReturnTo } from './return-to';

describe('return_to', () => {
  it.each([
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https:evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/\t/evil.example',
    '/ok\r\nSet-Cookie: x=1',
    'relative/path',
    '/' + 'a'.repeat(600),
    // Dot segments the URL parser resolves into a protocol-relative `//host`.
    '/..//evil.example',
    '/.//evil.example',
    '/a/..//evil.example',
    '/%2e%2e//evil.example',
  ])('refuses %j', (v) => {
    expect(() => safeReturnTo(v)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('refuses non-strings (repeated parameters arrive as arrays)', () => {
    expect(() => safeReturnTo(['/a', '/b'])).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });

  it('keeps same-origin paths with query and fragment', () => {
    expect(safeReturnTo('/account?tab=tokens#new')).toBe('/account?tab=tokens#new');
  });

  it('defaults when absent, and never returns into the sign-in routes', () => {
    expect(safeReturnTo(undefined)).toBe(DEFAULT_RETURN_TO);
    expect(safeReturnTo('/auth/logout')).toBe(DEFAULT_RETURN_TO);
  });
});
