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
