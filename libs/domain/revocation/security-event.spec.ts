import { seqOfSetJti, setClaims, setJti, type RevocationEvent } from './security-event';

const RS = 'rs_01jz0000000000000000000000';
const event = (over: Partial<RevocationEvent> = {}): RevocationEvent => ({
  seq: 42,
  tenantId: 'org_x',
  kind: 'token-revoked',
  target: 'tok_abc',
  expiresAt: new Date(2_000_000_000_000),
  createdAt: new Date(1_900_000_000_000),
  ...over,
});

describe('RFC 8417 SET for a revocation', () => {
  it('a SET jti names the event and the resource server, and reads back only for that one', () => {
    const jti = setJti(42, RS);
    expect(seqOfSetJti(jti, RS)).toBe(42);
    expect(seqOfSetJti(jti, 'rs_01jz0000000000000000000001')).toBeUndefined();
    expect(seqOfSetJti('set_0_x', RS)).toBeUndefined();
    expect(seqOfSetJti(42, RS)).toBeUndefined();
  });

  it('token-revoked carries the access token’s jti and exp, with exactly one event', () => {
    const c = setClaims(event(), 'https://iss', RS, 'https://api');
    expect(c).toEqual({
      iss: 'https://iss',
      iat: 1_900_000_000,
      jti: setJti(42, RS),
      aud: 'https://api',
      events: { 'urn:tessera:secevent:token-revoked': { jti: 'tok_abc', exp: 2_000_000_000 } },
    });
  });

  it('client-revoked and subject-revoked carry the iat cut-off', () => {
    const iatBefore = new Date(1_950_000_000_000);
    expect(
      setClaims(event({ kind: 'client-revoked', target: 'cli_1', iatBefore }), 'i', RS, 'a').events,
    ).toEqual({
      'urn:tessera:secevent:client-revoked': {
        client_id: 'cli_1',
        iat_before: 1_950_000_000,
        exp: 2_000_000_000,
      },
    });
    expect(
      setClaims(event({ kind: 'subject-revoked', target: 'u', iatBefore }), 'i', RS, 'a').events,
    ).toEqual({
      'urn:tessera:secevent:subject-revoked': {
        sub: 'u',
        iat_before: 1_950_000_000,
        exp: 2_000_000_000,
      },
    });
    expect(
      setClaims(event({ kind: 'family-revoked', target: 'fam_1' }), 'i', RS, 'a').events,
    ).toEqual({
      'urn:tessera:secevent:family-revoked': { family_id: 'fam_1', exp: 2_000_000_000 },
    });
  });
});
