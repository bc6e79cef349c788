import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import passport from 'passport';
import { ContractFeedServer } from '@tessera/testing/contract-feed-server';
import { ResourceServer } from '../core/resource-server';
import { TesseraStrategy } from '../passport/tessera.strategy';
import { requireScopes, type VerifiedRequest } from './middleware';

const API = 'https://api.example';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** The Connect-style middleware and the plain passport strategy on a real node:http server. */
describe('adapters › requireScopes middleware and passport TesseraStrategy', () => {
  let peer: ContractFeedServer;
  let rs: ResourceServer;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    peer = new ContractFeedServer(API);
    await peer.start();
    rs = await ResourceServer.create({
      issuer: peer.issuer,
      identifier: API,
      clientId: peer.credentials.clientId,
      clientSecret: peer.credentials.clientSecret,
      logger: quiet,
    });
    const auth = new passport.Authenticator();
    auth.use(new TesseraStrategy({ server: rs }));
    const viaPassport = auth.authenticate('tessera', { session: false });
    const read = requireScopes(rs, 'invoices:read');
    const write = requireScopes(rs, 'invoices:write');
    server = createServer((req: VerifiedRequest, res) => {
      const ok = () => res.end(JSON.stringify({ sub: req.tessera?.claims.sub }));
      if (req.url === '/read') return read(req, res, ok);
      if (req.url === '/write') return write(req, res, ok);
      if (req.url === '/passport') {
        return viaPassport(req as never, res as never, () =>
          res.end(
            JSON.stringify({
              user: (req as { user?: { claims: { sub: string } } }).user?.claims.sub,
            }),
          ),
        );
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const deadline = Date.now() + 20_000;
    while (rs.status().state !== 'live' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => {
    await rs.close();
    await new Promise((r) => server.close(r));
    await peer.stop();
  });

  const get = async (path: string, token?: string) =>
    fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('middleware › 200 with the principal, 403 insufficient_scope, 401 without a token', async () => {
    const t = await peer.token({ sub: 'user_mw' });
    const ok = await get('/read', t);
    expect(await ok.json()).toEqual({ sub: 'user_mw' });
    const denied = await get('/write', t);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(
      /error="insufficient_scope", scope="invoices:write"/,
    );
    expect(await denied.json()).toMatchObject({ error: 'insufficient_scope' });
    const none = await get('/read');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="${API}"`);
  });

  it('passport › req.user is the principal; a foreign token gets 401 with the invalid_token challenge', async () => {
    const ok = await get('/passport', await peer.token({ sub: 'user_pp' }));
    expect(await ok.json()).toEqual({ user: 'user_pp' });
    const bad = await get('/passport', await peer.token({ aud: 'https://other.example' }));
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});
