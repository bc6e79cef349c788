#!/usr/bin/env node
// A real OpenID provider standing in for Authentik in tests: oidc-provider on loopback, one
// issuer per application path (`/application/o/<slug>/`), RS256 ID tokens carrying `groups`,
// `preferred_username` and `email`, a confidential client that must use PKCE, and
// RP-initiated logout. Runs as a child process (oidc-provider is heavy ESM); prints one JSON
// line `{"issuer": ...}` on stdout once it listens.
//
// Env: OIDC_TEST_PORT, OIDC_TEST_APP (slug), OIDC_TEST_CLIENT (JSON client metadata),
// OIDC_TEST_ACCOUNTS (JSON {login: {email, name, groups}}).
// OIDC_TEST_CLAIMS=userinfo: scope claims (email, profile, groups) only at the UserInfo
// endpoint, as OIDC Core has it (`conformIdTokenClaims`); unset: in the ID token, like Authentik.
// OIDC_TEST_BACKCHANNEL_LOGOUT=1: Back-Channel Logout 1.0 (the client's `backchannel_logout_uri`
// gets a logout token when its session ends at the provider; ID tokens carry `sid`).
// Test-only control, outside the issuer path: POST /__test__/tamper {"kind": "nonce"|"iss"|
// "aud"|"signature"|"userinfo-sub"|null} re-signs later ID tokens with that claim (or key) made
// wrong, or (userinfo-sub) answers UserInfo with another `sub`;
// GET /__test__/stats counts token-endpoint calls (to prove a callback never reached the IdP);
// POST /__test__/sign {"claims", "header"?, "key": "provider"|"stranger"|"none"} returns
// {"token"}: a JWT signed with the provider's key, another key, or unsigned (hostile logout tokens).
// POST /__test__/rotate-key {"keepOld": bool, "publishOnly": bool} signs later ID tokens with a
// new key (new kid), published first in the JWKS beside the old one unless keepOld is false;
// publishOnly publishes it ahead and keeps signing with the current key until the next rotation,
// which then signs with that published key (Authentik's recommended order).
import http from 'node:http';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.OIDC_TEST_PORT ?? 0);
const app = process.env.OIDC_TEST_APP ?? 'tessera';
const client = JSON.parse(process.env.OIDC_TEST_CLIENT ?? '{}');
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS ?? '{}');
const claimsAtUserinfo = process.env.OIDC_TEST_CLAIMS === 'userinfo';
const backchannelLogout = process.env.OIDC_TEST_BACKCHANNEL_LOGOUT === '1';
const prefix = `/application/o/${app}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
const { privateKey: strangerKey } = await generateKeyPair('RS256');

let tamper = null;
/** After a rotation: the key that signs, and the public JWKS served in place of the provider's. */
let rotated = null;
const publicJwk = ({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use });
/** A key published ahead (`publishOnly`) that the next rotation signs with. */
let pending = null;
async function newSigningKey() {
  const next = await generateKeyPair('RS256', { extractable: true });
  const kid = `test-rs256-${Date.now().toString(36)}`;
  const pub = { ...publicJwk(await exportJWK(next.publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey: next.privateKey, pub };
}
const stats = { tokenRequests: 0 };

function provider(issuer) {
  const p = new Provider(issuer, {
    clients: [
      {
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
        ...client,
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'profile', 'email', 'groups'],
    // Default like Authentik: the mapped claims are in the ID token itself.
    conformIdTokenClaims: claimsAtUserinfo,
    pkce: { required: () => true },
    // Its SSRF guard refuses loopback targets; the relying party under test is on loopback.
    fetch: (url, options) => {
      delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: backchannelLogout },
    },
    async findAccount(_ctx, id) {
      const a = accounts[id] ?? {};
      return {
        accountId: id,
        claims: async () => ({
          // oidc-provider expects sub === accountId (its logout tokens name the accountId).
          sub: id,
          preferred_username: id,
          name: a.name ?? id,
          email: a.email ?? `${id}@example.test`,
          email_verified: true,
          groups: a.groups ?? [],
        }),
      };
    },
  });
  p.use(async (ctx, next) => {
    if (ctx.path === '/token') stats.tokenRequests += 1;
    await next();
    if (tamper === 'userinfo-sub' && ctx.path === '/me' && ctx.status === 200 && ctx.body?.sub) {
      ctx.body = { ...ctx.body, sub: `${ctx.body.sub}-someone-else` };
      return;
    }
    if ((!tamper && !rotated) || ctx.path !== '/token' || ctx.status !== 200 || !ctx.body?.id_token)
      return;
    const payload = decodeJwt(ctx.body.id_token);
    const header = {
      ...decodeProtectedHeader(ctx.body.id_token),
      ...(rotated ? { kid: rotated.kid } : {}),
    };
    if (tamper === 'nonce') payload.nonce = 'not-the-nonce-tessera-sent';
    if (tamper === 'iss') payload.iss = 'http://127.0.0.1:9/application/o/another-app/';
    if (tamper === 'aud') payload.aud = 'another-client';
    const key = tamper === 'signature' ? strangerKey : (rotated?.privateKey ?? privateKey);
    ctx.body = {
      ...ctx.body,
      id_token: await new SignJWT(payload).setProtectedHeader(header).sign(key),
    };
  });
  p.on('backchannel.error', (_ctx, err) =>
    process.stderr.write(`backchannel logout failed: ${err.message}\n`),
  );
  return p;
}

async function signForTest({ claims, header = {}, key = 'provider' }) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  if (key === 'none') return `${b64({ alg: 'none', ...header })}.${b64(claims)}.`;
  const protectedHeader = { alg: 'RS256', kid: jwk.kid, ...header };
  return new SignJWT(claims)
    .setProtectedHeader(protectedHeader)
    .sign(key === 'stranger' ? strangerKey : privateKey);
}

function readJson(req, then) {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => then(JSON.parse(body || '{}')));
}

let oidc;
const server = http.createServer((req, res) => {
  if (req.url === '/__test__/sign' && req.method === 'POST') {
    readJson(req, async (input) => {
      const token = await signForTest(input);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
    });
    return;
  }
  if (req.url === '/__test__/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  if (req.url === '/__test__/tamper' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      tamper = JSON.parse(body || '{}').kind ?? null;
      res.writeHead(204).end();
    });
    return;
  }
  if (req.url === '/__test__/rotate-key' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const input = JSON.parse(body || '{}');
      const next = pending ?? (await newSigningKey());
      const previous = (rotated?.jwks ?? [publicJwk(jwk)]).filter((k) => k.kid !== next.kid);
      const jwks = input.keepOld !== false ? [next.pub, ...previous] : [next.pub];
      if (input.publishOnly) {
        pending = next;
        rotated = {
          kid: rotated?.kid ?? jwk.kid,
          privateKey: rotated?.privateKey ?? privateKey,
          jwks,
        };
      } else {
        pending = null;
        rotated = { kid: next.kid, privateKey: next.privateKey, jwks };
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kid: next.kid }));
    });
    return;
  }
  if (rotated && req.url.split('?')[0] === `${prefix}/jwks`) {
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys: rotated.jwks }));
    return;
  }
  if (req.url === prefix || req.url.startsWith(`${prefix}/`) || req.url.startsWith(`${prefix}?`)) {
    req.originalUrl = req.url;
    req.url = req.url.slice(prefix.length) || '/';
    return oidc.callback()(req, res);
  }
  res.writeHead(404).end();
});
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}${prefix}/`;
  oidc = provider(issuer);
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
