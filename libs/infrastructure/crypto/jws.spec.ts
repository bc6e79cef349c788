import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { signCompact } from './jws';

describe('signCompact', () => {
  it('each key gets its own header (encoded once, reused) and a signature that verifies', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cases = [
      { header: { alg: 'RS256', kid: 'k1', typ: 'at+jwt' }, pair: rsa },
      { header: { alg: 'RS256', kid: 'k2', typ: 'at+jwt' }, pair: rsa },
      { header: { alg: 'RS256', kid: 'k1', typ: 'logout+jwt' }, pair: rsa },
      { header: { alg: 'ES256', kid: 'k1', typ: 'at+jwt' }, pair: ec },
    ] as const;
    for (let round = 0; round < 2; round++) {
      for (const { header, pair } of cases) {
        const payload = { sub: `s${round}`, n: round };
        const jws = await signCompact(header, payload, pair.privateKey);
        expect(decodeProtectedHeader(jws)).toEqual(header);
        const { payload: got } = await compactVerify(jws, pair.publicKey);
        expect(JSON.parse(Buffer.from(got).toString())).toEqual(payload);
      }
    }
  });
});
