import type { AccessClaims } from '@tessera/domain/token/access-claims';
import { verifyOncePerRequest } from './verify-once';

describe('verifyOncePerRequest', () => {
  it('verifies a request’s token once, another token or request again, and keeps a rejection', async () => {
    let calls = 0;
    const verifier = {
      verify: async (t: string) => {
        calls++;
        if (t === 'bad') throw new Error('invalid_token');
        return { sub: t } as AccessClaims;
      },
    };
    const req = {};
    await verifyOncePerRequest(req, 'a', verifier);
    await verifyOncePerRequest(req, 'a', verifier);
    expect(calls).toBe(1);
    await verifyOncePerRequest(req, 'b', verifier);
    await verifyOncePerRequest({}, 'b', verifier);
    expect(calls).toBe(3);
    const other = {};
    await expect(verifyOncePerRequest(other, 'bad', verifier)).rejects.toThrow('invalid_token');
    await expect(verifyOncePerRequest(other, 'bad', verifier)).rejects.toThrow('invalid_token');
    expect(calls).toBe(4);
  });
});
