import { generateSigningKey } from './key-generator';
import { KeyRing } from './key-ring';

describe('KeyRing', () => {
  it('refuses duplicate kids, no primary and two primaries', async () => {
    const a = (await generateSigningKey('ES256')).material;
    const b = (await generateSigningKey('EdDSA')).material;
    expect(
      () =>
        new KeyRing([
          { material: a, primary: true },
          { material: a, primary: false },
        ]),
    ).toThrow(/duplicate/);
    expect(
      () =>
        new KeyRing([
          { material: a, primary: false },
          { material: b, primary: false },
        ]),
    ).toThrow(/no primary/);
    expect(
      () =>
        new KeyRing([
          { material: a, primary: true },
          { material: b, primary: true },
        ]),
    ).toThrow(/2 primary/);
    const ring = new KeyRing([
      { material: a, primary: false },
      { material: b, primary: true },
    ]);
    expect(ring.kid).toBe(b.kid);
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([a.kid, b.kid]);
  });
});

describe('KeyRing › replace (database key store reloads)', () => {
  it('swaps the whole set at once, and an invalid set leaves the current one in place', async () => {
    const a = (await generateSigningKey('ES256')).material;
    const b = (await generateSigningKey('ES256')).material;
    const ring = new KeyRing([{ material: a, primary: true }]);
    ring.replace([
      { material: a, primary: true },
      { material: b, primary: false, status: 'staged' },
    ]);
    expect(ring.list().map((k) => [k.kid, k.status])).toEqual([
      [a.kid, 'active'],
      [b.kid, 'staged'],
    ]);
    expect(ring.verificationKey(b.kid)).toBe(b);
    expect(() => ring.replace([{ material: b, primary: false }])).toThrow(/no primary/);
    expect(ring.kid).toBe(a.kid);
    ring.replace([{ material: b, primary: true }]);
    expect(ring.kid).toBe(b.kid);
    expect(ring.verificationKey(a.kid)).toBeUndefined();
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([b.kid]);
    const signed = await ring.sign({ sub: 'x' }, 'at+jwt');
    expect(signed.kid).toBe(b.kid);
  });
});
