import type { SessionStore } from '../session/session-store.port';
import type { PendingLogin } from '../session/session';
import { CompleteLoginUseCase } from './complete-login.use-case';
import type { IdentityProvider } from './identity-provider.port';

const pending: PendingLogin = {
  tenantSlug: 'acme',
  returnTo: '/account',
  state: 'expected-state',
  nonce: 'n',
  codeVerifier: 'v',
  createdAt: Date.now(),
};

function setup(stored: PendingLogin | null) {
  const idp = {
    configured: true,
    beginLogin: jest.fn(),
    completeLogin: jest.fn(),
    logoutUrl: jest.fn(),
  } as unknown as IdentityProvider & { completeLogin: jest.Mock };
  const store = {
    takePending: jest.fn().mockResolvedValue(stored),
    create: jest.fn(),
  } as unknown as SessionStore & { create: jest.Mock };
  const none = { bySlug: jest.fn(), upsert: jest.fn(), set: jest.fn() };
  const uc = new CompleteLoginUseCase(idp, store, none, none, none, {
    groupPattern: 'tessera:{tenant}:{role}',
  });
  return { uc, idp, store };
}

const callback = (qs: string) => new URL(`http://rp.test/auth/callback?${qs}`);

describe('GET /auth/callback checks before any call to the IdP', () => {
  it.each([
    ['state mismatch', 'code=c&state=other-state'],
    ['missing state', 'code=c'],
    ['two state parameters', 'code=c&state=expected-state&state=expected-state'],
  ])('%s → access_denied, IdP untouched, no session', async (_name, qs) => {
    const { uc, idp, store } = setup(pending);
    await expect(uc.execute({ pendingId: 'p', callbackUrl: callback(qs) })).rejects.toMatchObject({
      code: 'access_denied',
    });
    expect(idp.completeLogin).not.toHaveBeenCalled();
    expect(store.create).not.toHaveBeenCalled();
  });

  it('no pending-login cookie, or an unknown one → access_denied, IdP untouched', async () => {
    for (const [id, stored] of [
      [undefined, pending],
      ['unknown', null],
    ] as const) {
      const { uc, idp } = setup(stored);
      await expect(
        uc.execute({ pendingId: id, callbackUrl: callback('code=c&state=expected-state') }),
      ).rejects.toMatchObject({ code: 'access_denied' });
      expect(idp.completeLogin).not.toHaveBeenCalled();
    }
  });
});
