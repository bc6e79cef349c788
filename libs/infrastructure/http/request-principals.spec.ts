import type { Request } from 'express';
import type { AppConfig } from '@tessera/config';
import type { AuthenticateClient } from '@tessera/application/authenticate-client/authenticate-client.use-case';
import type { ActiveSession } from '@tessera/application/session/session';
import type { SessionStore } from '@tessera/application/session/session-store.port';
import type { IdentityProvider } from '@tessera/application/sign-in/identity-provider.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { AccessClaims } from '@tessera/domain/token/access-claims';
import type { Client } from '@tessera/domain/token/client';
import { requestContext } from './request-context';
import { RequestPrincipals } from './request-principals';

const ID = 'cli_01jz5d7qj4w8e4v6t2m9x3k5nb';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const request = (r: Partial<Request> & { headers?: Record<string, string> }) =>
  ({ method: 'POST', path: '/oauth/token', body: {}, headers: {}, ...r }) as unknown as Request;

function principals(opts: { costs?: boolean } = {}) {
  const calls = { clients: 0, tokens: 0, sessions: 0 };
  const clients = {
    execute: async (c: { basic?: { secret: string }; post?: { secret?: string } }) => {
      calls.clients++;
      if ((c.basic ?? c.post)?.secret !== 'right') {
        throw new DomainError('invalid_client', 'client authentication failed');
      }
      return { id: ID, tenantId: 'ten_1' } as Client;
    },
  } as unknown as AuthenticateClient;
  const tokens = {
    verify: async (t: string) => {
      calls.tokens++;
      if (t === 'bad') throw new DomainError('invalid_token', 'no');
      return { sub: 's', client_id: ID, org: 'ten_1' } as AccessClaims;
    },
  };
  const sessions = {
    get: async (id: string) => {
      calls.sessions++;
      return id === 'live' ? ({ idHash: 'h', tenantId: 'ten_1' } as ActiveSession) : null;
    },
  } as unknown as SessionStore;
  const lookups = { costsLookup: () => opts.costs ?? false };
  const cfg = { issuer: 'http://localhost' } as AppConfig;
  return { p: new RequestPrincipals(cfg, clients, tokens, sessions, lookups), calls };
}

const noCount = () => Promise.resolve();
/** A session API request with these headers. */
const apiRequest = (headers: Record<string, string>) =>
  request({ method: 'GET', path: '/api/v1/me', headers });

describe('RequestPrincipals: one check per request, shared by the rate limiter and the endpoint', () => {
  it('authenticates a client once; the endpoint gets the same client', async () => {
    const { p, calls } = principals();
    const req = request({ headers: { authorization: basic(ID, 'right') } });
    expect(await p.resolve(req, noCount)).toMatchObject({ kind: 'client' });
    const client = await p.client(req, {});
    expect(client.id).toBe(ID);
    expect(calls.clients).toBe(1);
    expect(requestContext(req)).toMatchObject({ tenantId: 'ten_1', clientId: ID });
  });

  it('a failed authentication is anonymous to the limiter and the same invalid_client to the endpoint, checked once', async () => {
    const { p, calls } = principals();
    const req = request({ headers: { authorization: basic(ID, 'wrong') } });
    expect(await p.resolve(req, noCount)).toBeNull();
    await expect(p.client(req, {})).rejects.toMatchObject({ code: 'invalid_client' });
    expect(calls.clients).toBe(1);
  });

  it('other credentials at the endpoint than the limiter saw are checked afresh', async () => {
    const { p, calls } = principals();
    const req = request({ body: { client_id: ID, client_secret: 'wrong' } });
    expect(await p.resolve(req, noCount)).toBeNull();
    expect((await p.client(req, { client_id: ID, client_secret: 'right' })).id).toBe(ID);
    expect(calls.clients).toBe(2);
  });

  it('malformed credentials are anonymous to the limiter and the parser’s error to the endpoint', async () => {
    const { p, calls } = principals();
    const req = request({ headers: { authorization: 'Digest x' } });
    expect(await p.resolve(req, noCount)).toBeNull();
    await expect(p.client(req, {})).rejects.toMatchObject({
      code: 'invalid_client',
      description: 'unsupported Authorization header',
    });
    const both = request({
      headers: { authorization: basic(ID, 'right') },
      body: { client_id: 'cli_other', client_secret: 'x' },
    });
    expect(await p.resolve(both, noCount)).toBeNull();
    await expect(p.client(both, { client_id: 'cli_other' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(calls.clients).toBe(0);
  });

  it('an unknown id is counted against its address first; refused there (429), it is never looked up', async () => {
    const { p, calls } = principals({ costs: true });
    const req = request({ headers: { authorization: basic(ID, 'right') } });
    const limited = new DomainError('rate_limited', 'too many requests', { retryAfter: 3 });
    await expect(p.resolve(req, () => Promise.reject(limited))).rejects.toBe(limited);
    expect(calls.clients).toBe(0);
    let counted = 0;
    const other = request({ headers: { authorization: basic(ID, 'right') } });
    await p.resolve(other, async () => void counted++);
    expect([counted, calls.clients]).toEqual([1, 1]);
  });

  it('verifies a bearer token once; a failure is shared too; another token is verified again', async () => {
    const { p, calls } = principals();
    const req = apiRequest({ authorization: 'Bearer good' });
    expect(await p.resolve(req, noCount)).toMatchObject({ kind: 'bearer' });
    await p.bearer(req, 'good');
    expect(calls.tokens).toBe(1);
    await expect(p.bearer(req, 'bad')).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(p.bearer(req, 'bad')).rejects.toMatchObject({ code: 'invalid_token' });
    expect(calls.tokens).toBe(2);
  });

  it('loads a cookie’s session once; no cookie, no read', async () => {
    const { p, calls } = principals();
    const req = apiRequest({ cookie: 'tessera_session=live' });
    expect(await p.resolve(req, noCount)).toMatchObject({ kind: 'session' });
    expect(await p.session(req)).toMatchObject({ idHash: 'h' });
    expect(requestContext(req).sessionId).toBe('h');
    expect(calls.sessions).toBe(1);
    expect(await p.session(request({ method: 'GET', path: '/' }))).toBeNull();
    expect(calls.sessions).toBe(1);
  });

  it('a back-channel logout token the IdP signed is counted per issuer; a bad one is anonymous', async () => {
    const cfg = { issuer: 'http://localhost' } as AppConfig;
    const idp = {
      verifyLogoutToken: async (t: string) => {
        if (t !== 'signed') throw new DomainError('invalid_request', 'bad logout token');
        return { issuer: 'https://idp.test/' };
      },
    } as unknown as IdentityProvider;
    const p = new RequestPrincipals(cfg, undefined, undefined, undefined, undefined, idp);
    const logout = (token: string) =>
      Object.assign(request({ path: '/auth/backchannel-logout', body: { logout_token: token } }), {
        is: (type: string) => type === 'application/x-www-form-urlencoded',
      });
    expect(await p.resolve(logout('signed'), noCount)).toEqual({
      kind: 'issuer',
      issuer: 'https://idp.test/',
    });
    expect(await p.resolve(logout('forged'), noCount)).toBeNull();
  });
});
