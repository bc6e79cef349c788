import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTHeaderParameters,
} from 'jose';

/** What the JWKS URL does: answer with the key set, never answer, or answer with a non-JWKS. */
export type JwksBehaviour = 'serve' | 'hang' | 'not-jwks';

export interface WorkloadIssuer {
  /** The issuer URL (`iss`) of its tokens: http://127.0.0.1:<port>. */
  url: string;
  jwksUri: string;
  kid: string;
  publicJwk: JWK;
  /** Requests the server has answered, by path. */
  hits(path?: string): number;
  /** Changes what `/jwks` does from the next request on. */
  setJwks(behaviour: JwksBehaviour): void;
  /** Signs a JWT with this issuer's key (or `key`), defaults: iss, aud, sub, iat, exp +5 min. */
  sign(
    claims?: JWTPayload,
    opts?: {
      key?: CryptoKey;
      header?: Partial<JWTHeaderParameters>;
      omit?: string[];
      /** jose sign option: `crit` members the signer understands (else jose refuses them). */
      crit?: Record<string, boolean>;
    },
  ): Promise<string>;
  close(): Promise<void>;
}

/**
 * A workload's OIDC issuer on loopback: serves the JWKS of a key generated here (ES256) and
 * signs subject tokens with it
 * (ES256 unless asked for RS256 or EdDSA). Counting requests lets a test prove what Tessera fetched.
 */
export async function startWorkloadIssuer(
  opts: { audience?: string; alg?: 'ES256' | 'RS256' | 'EdDSA' } = {},
): Promise<WorkloadIssuer> {
  const alg = opts.alg ?? 'ES256';
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const kid = `wk-${Math.random().toString(36).slice(2, 10)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const counts = new Map<string, number>();
  let behaviour: JwksBehaviour = 'serve';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path === '/jwks' && behaviour === 'hang') {
      // Never answered; close() ends the connection.
    } else if (path === '/jwks' && behaviour === 'not-jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: url, keys: 'none here' }));
    } else if (path === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const audience = opts.audience ?? 'tessera';
  return {
    url,
    jwksUri: `${url}/jwks`,
    kid,
    publicJwk,
    hits: (path) =>
      path === undefined
        ? [...counts.values()].reduce((a, b) => a + b, 0)
        : (counts.get(path) ?? 0),
    setJwks: (b) => {
      behaviour = b;
    },
    async sign(claims = {}, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: url,
        aud: audience,
        sub: 'workload-1',
        iat: now,
        exp: now + 300,
        ...claims,
      };
      for (const k of o.omit ?? []) delete payload[k];
      const header = { alg, kid, typ: 'JWT', ...o.header } as JWTHeaderParameters;
      return new SignJWT(payload)
        .setProtectedHeader(header)
        .sign(o.key ?? privateKey, o.crit ? { crit: o.crit } : undefined);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
