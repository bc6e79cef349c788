#!/usr/bin/env node
// The peer the token endpoint is compared with: node-oidc-provider (a dev dependency) on
// loopback, its in-memory adapter, one confidential client_credentials client, access tokens
// for one resource. Prints one JSON line {"url", "clientId", "clientSecret"} once it listens.
//
// Env: PEER_PORT, PEER_ALG (RS256 | ES256 | EdDSA), PEER_RSA_BITS (2048), PEER_TOKEN_FORMAT
// (jwt | opaque: its JWT access tokens are not stored, so introspection compares opaque ones).
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.PEER_PORT ?? 0);
const alg = process.env.PEER_ALG ?? 'RS256';
const bits = Number(process.env.PEER_RSA_BITS ?? 2048);
const format = process.env.PEER_TOKEN_FORMAT ?? 'jwt';
const resource = 'https://api.bench.test';
const clientId = 'bench-client';
const clientSecret = randomBytes(32).toString('base64url');

const { privateKey } = await generateKeyPair(alg, {
  extractable: true,
  ...(alg === 'RS256' ? { modulusLength: bits } : {}),
  ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
});
const jwk = { ...(await exportJWK(privateKey)), kid: 'peer-key', alg, use: 'sig' };

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: alg,
      scope: 'read write',
    },
  ],
  jwks: { keys: [jwk] },
  scopes: ['read', 'write'],
  enabledJWA: { requestObjectSigningAlgValues: [alg], idTokenSigningAlgValues: [alg] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'read write',
        audience: resource,
        accessTokenTTL: 900,
        accessTokenFormat: format,
        ...(format === 'jwt' ? { jwt: { sign: { alg } } } : {}),
      }),
    },
  },
});
const server = provider.listen(port, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({ url, clientId, clientSecret })}\n`);
});
for (const s of ['SIGINT', 'SIGTERM']) process.once(s, () => server.close(() => process.exit(0)));
