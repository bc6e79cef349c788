import { scopesForRole } from './role-scopes';

describe('session-minted scopes', () => {
  it('stay within the role', () => {
    expect(scopesForRole('member', ['api:read', 'api:write'])).toEqual(['api:read', 'api:write']);
    expect(() => scopesForRole('viewer', ['api:write'])).toThrow(
      expect.objectContaining({ code: 'invalid_scope' }),
    );
  });

  it('default to the role’s read scope', () => {
    expect(scopesForRole('admin', [])).toEqual(['api:read']);
  });
});
