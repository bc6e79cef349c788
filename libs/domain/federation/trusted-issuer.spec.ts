import { DomainError } from '../shared/domain-error';
import { exchangedSubject, validateTrustedIssuer } from './trusted-issuer';

const base = {
  issuer: 'https://idp.example',
  jwksUri: 'https://idp.example/keys?v=2',
  audience: 'tessera',
};
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'not a DomainError';
  }
  return 'no error';
};

describe('trusted issuer', () => {
  it('keeps the issuer byte for byte (it is compared with iss exactly)', () => {
    const v = validateTrustedIssuer(
      { ...base, issuer: 'https://idp.example/', scopes: ['a', 'a', 'b'], role: 'viewer' },
      { production: true },
    );
    expect(v).toEqual({
      issuer: 'https://idp.example/',
      jwksUri: base.jwksUri,
      audience: 'tessera',
      subjectPrefix: null,
      allowedScopes: ['a', 'b'],
      role: 'viewer',
    });
  });

  it('http only outside production', () => {
    const http = { ...base, issuer: 'http://idp.local', jwksUri: 'http://idp.local/jwks' };
    expect(validateTrustedIssuer(http, { production: false }).issuer).toBe('http://idp.local');
    expect(code(() => validateTrustedIssuer(http, { production: true }))).toBe('invalid_request');
    expect(
      code(() =>
        validateTrustedIssuer({ ...base, jwksUri: 'http://idp.local/k' }, { production: true }),
      ),
    ).toBe('invalid_request');
  });

  it.each([
    ['no issuer', { issuer: undefined }],
    ['a javascript: issuer', { issuer: 'javascript:alert(1)' }],
    ['an issuer with a query', { issuer: 'https://idp.example?x=1' }],
    ['an issuer with an empty fragment', { issuer: 'https://idp.example#' }],
    ['a JWKS URI with credentials', { jwksUri: 'https://a:b@idp.example/k' }],
    ['an empty audience', { audience: '' }],
    ['an audience with a space', { audience: 'two words' }],
    ['a 65-character prefix', { subjectPrefix: 'x'.repeat(65) }],
    ['an unknown role', { role: 'root' }],
    ['a 2 KB issuer', { issuer: `https://idp.example/${'x'.repeat(2100)}` }],
  ])('refuses %s', (_, change) => {
    expect(code(() => validateTrustedIssuer({ ...base, ...change }, { production: false }))).toBe(
      'invalid_request',
    );
  });

  it('refuses malformed scopes as invalid_scope', () => {
    expect(
      code(() => validateTrustedIssuer({ ...base, scopes: ['a\\b'] }, { production: false })),
    ).toBe('invalid_scope');
  });

  it('the exchanged subject is ext:{issuer id}: + prefix + external sub, bounded and printable', () => {
    const id = 'tis_01h455vb4pex5vsknk084sn02q';
    const t = { id, subjectPrefix: 'gh:' };
    expect(exchangedSubject(t, 'repo:acme/app')).toBe(`ext:${id}:gh:repo:acme/app`);
    expect(exchangedSubject({ id, subjectPrefix: null }, 's')).toBe(`ext:${id}:s`);
    // An external sub shaped like a Tessera id still comes out namespaced.
    expect(exchangedSubject({ id, subjectPrefix: null }, 'user_01h455vb4pex5vsknk084sn02q')).toBe(
      `ext:${id}:user_01h455vb4pex5vsknk084sn02q`,
    );
    for (const bad of ['', 42, null, 'a\nb', 'x'.repeat(221)]) {
      expect(code(() => exchangedSubject(t, bad))).toBe('invalid_request');
    }
  });
});
