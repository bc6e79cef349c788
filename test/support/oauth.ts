/** Client-side OAuth steps the integration and e2e specs share (jest's `expect` in scope). */
import { basic, postForm } from '@tessera/testing/oauth-fixtures';

/**
 * An access token by client_credentials with client_secret_basic at `baseUrl`'s token endpoint,
 * `form` added to the request; the answer must be a 200.
 */
export async function clientCredentialsToken(
  baseUrl: string,
  client: { clientId: string; secret: string },
  form: Record<string, string> = {},
): Promise<string> {
  const r = await postForm(
    `${baseUrl}/oauth/token`,
    { grant_type: 'client_credentials', ...form },
    { authorization: basic(client) },
  );
  expect(r.status).toBe(200);
  return r.json.access_token as string;
}

/** GET `url` with `token` as the bearer. */
export const getWithBearer = (url: string, token: string): Promise<Response> =>
  fetch(url, { headers: { authorization: `Bearer ${token}` } });

/** RFC 8693 token exchange: the grant type and the token type URIs the specs send and expect. */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The kids `baseUrl`'s JWKS lists, sorted. */
export const jwksKids = async (baseUrl: string): Promise<string[]> =>
  (
    (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
  ).keys
    .map((k) => k.kid)
    .sort();
