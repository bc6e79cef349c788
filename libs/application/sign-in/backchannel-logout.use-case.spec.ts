import { DomainError } from '@tessera/domain/shared/domain-error';
import type { SessionStore } from '../session/session-store.port';
import { BackchannelLogoutUseCase } from './backchannel-logout.use-case';
import type { IdentityProvider } from './identity-provider.port';
import type { ReplayGuard } from './logout-token.port';

function setup(verify: jest.Mock) {
  const idp = { verifyLogoutToken: verify } as unknown as IdentityProvider;
  const end = jest.fn().mockResolvedValue([{ tenantId: 'org_1', userId: 'usr_1' }]);
  const sessions = { endIdpSessions: end } as unknown as SessionStore;
  const seen = new Set<string>();
  const replay: ReplayGuard = {
    firstUse: async (k) => !seen.has(k) && Boolean(seen.add(k)),
    forget: async (k) => void seen.delete(k),
  };
  const audit = { record: jest.fn().mockResolvedValue(undefined) };
  const uc = new BackchannelLogoutUseCase(idp, sessions, replay, { replayTtlSeconds: 180 }, audit);
  return { uc, end, audit };
}

const claims = { issuer: 'https://idp.test/', jti: 'j', issuedAt: 0, sid: 's', subject: 'u' };

describe('POST /auth/backchannel-logout › use case', () => {
  it('ends the sessions the token names; a replay ends nothing', async () => {
    const { uc, end, audit } = setup(jest.fn().mockResolvedValue(claims));
    await expect(uc.execute({ logoutToken: 't' })).resolves.toEqual({ ended: 1 });
    expect(end).toHaveBeenCalledWith('https://idp.test/', { sid: 's', subject: 'u' });
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ tenantId: 'org_1', actor: 'usr_1', action: 'sign_out' }),
    );
    await expect(uc.execute({ logoutToken: 't' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('a token that fails verification spends no jti and ends nothing', async () => {
    const verify = jest
      .fn()
      .mockRejectedValueOnce(new DomainError('invalid_request', 'bad'))
      .mockResolvedValue(claims);
    const { uc, end } = setup(verify);
    await expect(uc.execute({ logoutToken: 't' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(end).not.toHaveBeenCalled();
    await expect(uc.execute({ logoutToken: 't' })).resolves.toEqual({ ended: 1 });
  });

  it('when ending fails the jti is released, so the IdP’s retry succeeds', async () => {
    const { uc, end } = setup(jest.fn().mockResolvedValue(claims));
    end.mockRejectedValueOnce(new Error('redis down'));
    await expect(uc.execute({ logoutToken: 't' })).rejects.toThrow('redis down');
    await expect(uc.execute({ logoutToken: 't' })).resolves.toEqual({ ended: 1 });
  });

  it.each([undefined, '', ['a', 'b'], 7])('logout_token %p → invalid_request', async (v) => {
    const { uc } = setup(jest.fn());
    await expect(uc.execute({ logoutToken: v })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
