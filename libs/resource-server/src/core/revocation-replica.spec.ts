import { EVENT, RevocationReplica } from './revocation-replica';
import { maxAgeOf } from './jwks';

const claims = (over = {}) => ({ jti: 'j1', client_id: 'c1', sub: 's1', iat: 100, ...over });

describe('RevocationReplica', () => {
  it('token-revoked is kept until the token expires (+ leeway), then forgotten', () => {
    const r = new RevocationReplica(30);
    expect(r.apply({ [EVENT.tokenRevoked]: { jti: 'j1', exp: 1000 } })).toBe(true);
    r.prune(1020);
    expect(r.isRevoked(claims())).toBe(true);
    r.prune(1031);
    expect(r.isRevoked(claims())).toBe(false);
    expect(r.size.jtis).toBe(0);
  });

  it('cut-offs refuse iat <= iat_before; a later cut-off subsumes an earlier one', () => {
    const r = new RevocationReplica(0);
    r.apply({ [EVENT.clientRevoked]: { client_id: 'c1', iat_before: 100, exp: 500 } });
    r.apply({ [EVENT.clientRevoked]: { client_id: 'c1', iat_before: 50, exp: 400 } });
    expect(r.isRevoked(claims({ iat: 100 }))).toBe(true);
    expect(r.isRevoked(claims({ iat: 101 }))).toBe(false);
    r.prune(450);
    expect(r.isRevoked(claims({ iat: 100 }))).toBe(true);
    r.apply({ [EVENT.subjectRevoked]: { sub: 's9', iat_before: 200, exp: 500 } });
    expect(r.isRevoked(claims({ sub: 's9', client_id: 'x', iat: 150 }))).toBe(true);
  });

  it('refuses events it does not understand', () => {
    const r = new RevocationReplica(0);
    expect(r.apply({ 'urn:other': { exp: 1 } })).toBe(false);
    expect(r.apply({ [EVENT.tokenRevoked]: { jti: 'j1' } })).toBe(false);
    expect(r.apply({ [EVENT.familyRevoked]: { family_id: 'f', exp: 9 } })).toBe(true);
  });
});

describe('JWKS Cache-Control', () => {
  it.each([
    ['public, max-age=300', 300],
    ['max-age="60"', 60],
    ['no-store', 0],
    ['max-age=99999999', 86_400],
    [null, undefined],
    ['public', undefined],
  ])('%s → %s', (header, age) => expect(maxAgeOf(header)).toBe(age));
});
