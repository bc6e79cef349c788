import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '@tessera/config';
import { MANAGEMENT_PREFIX } from '../management/management-request';

type Paths = OpenAPIObject['paths'];
type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({
  type: 'string',
  description,
  ...extra,
});

const oauthError = {
  description: 'RFC 6749 §5.2 error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'string' }, error_description: { type: 'string' } },
      },
    },
  },
};

const tooMany = {
  ...oauthError,
  description: 'rate limited; `Retry-After` says when to try again',
  headers: { 'Retry-After': { schema: { type: 'integer' } } },
};

const unavailable = {
  ...oauthError,
  description:
    'temporarily_unavailable: the token store is busy or away (queue full, Redis down); `Retry-After` says when to try again',
  headers: { 'Retry-After': { schema: { type: 'integer' } } },
};

const form = (required: string[], properties: Record<string, Schema>) => ({
  required: true,
  content: {
    'application/x-www-form-urlencoded': { schema: { type: 'object', required, properties } },
  },
});

/** client_secret_basic, or client_secret_post (fields in the body, so no scheme of its own). */
const clientAuth: Record<string, string[]>[] = [{ basic: [] }, {}];
const clientPostFields = {
  client_id: str('client_secret_post only'),
  client_secret: str('client_secret_post only', { format: 'password' }),
};

/** RFC 7009 and RFC 7662 read the same form: the token, a type hint, client_secret_post. */
const tokenForm = (token: string) =>
  form(['token'], {
    token: str(token),
    token_type_hint: str('hint', { enum: ['access_token', 'refresh_token'] }),
    ...clientPostFields,
  });

/**
 * The OAuth endpoints take form-encoded bodies read by hand (duplicate parameters must be
 * refused), so Nest's reflection cannot describe them: they are written out here from the RFCs.
 */
const OAUTH_PATHS: Paths = {
  '/oauth/token': {
    post: {
      tags: ['oauth'],
      summary: 'Token endpoint (RFC 6749 §3.2)',
      security: clientAuth,
      requestBody: form(['grant_type'], {
        grant_type: str('grant type', {
          enum: [
            'client_credentials',
            'refresh_token',
            'urn:ietf:params:oauth:grant-type:token-exchange',
          ],
        }),
        scope: str('space-separated scopes'),
        resource: {
          type: 'array',
          items: { type: 'string', format: 'uri' },
          description:
            'RFC 8707, repeatable: absolute URI (no fragment) of a resource server of the ' +
            'client’s tenant that the client is allowed; becomes the token’s `aud`. Without it, ' +
            'the default audience. Anything else → `invalid_target`',
        },
        refresh_token: str('grant_type=refresh_token'),
        subject_token: str('token exchange (RFC 8693)'),
        subject_token_type: str('token exchange (RFC 8693)'),
        audience: str('token exchange (RFC 8693)'),
        ...clientPostFields,
      }),
      responses: {
        '200': {
          description: 'RFC 6749 §5.1 access token response',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['access_token', 'token_type', 'expires_in'],
                properties: {
                  access_token: { type: 'string', description: 'JWT, typ at+jwt' },
                  token_type: { type: 'string', enum: ['Bearer'] },
                  expires_in: { type: 'integer' },
                  refresh_token: { type: 'string' },
                  scope: { type: 'string' },
                  issued_token_type: { type: 'string' },
                },
              },
            },
          },
        },
        '400': oauthError,
        '401': { ...oauthError, description: 'invalid_client, with WWW-Authenticate' },
        '429': tooMany,
        '503': unavailable,
      },
    },
  },
  '/oauth/revoke': {
    post: {
      tags: ['oauth'],
      summary: 'Token revocation (RFC 7009)',
      security: clientAuth,
      requestBody: tokenForm('the token to revoke'),
      responses: {
        '200': { description: 'revoked, or was not a valid token of this client (RFC 7009 §2.2)' },
        '400': oauthError,
        '401': oauthError,
        '429': tooMany,
      },
    },
  },
  '/oauth/introspect': {
    post: {
      tags: ['oauth'],
      summary: 'Token introspection (RFC 7662)',
      security: clientAuth,
      requestBody: tokenForm('the token to introspect'),
      responses: {
        '200': {
          description:
            'RFC 7662 §2.2; a client learns about its own tokens, a resource server (RFC 7662 ' +
            '§4) also about its tenant’s tokens whose `aud` names it; anything else is ' +
            '`{"active":false}`',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['active'],
                properties: {
                  active: { type: 'boolean' },
                  scope: { type: 'string' },
                  client_id: { type: 'string' },
                  sub: { type: 'string' },
                  exp: { type: 'integer' },
                  iat: { type: 'integer' },
                  iss: { type: 'string' },
                  aud: {
                    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
                  },
                  org: { type: 'string', description: 'the tenant' },
                  jti: { type: 'string' },
                  token_type: { type: 'string' },
                },
              },
            },
          },
        },
        '401': oauthError,
        '429': tooMany,
      },
    },
  },
  '/auth/backchannel-logout': {
    post: {
      tags: ['sign-in'],
      summary: 'OpenID Connect Back-Channel Logout 1.0 (called by the IdP)',
      description:
        'The configured IdP ends Tessera sessions of an IdP session (`sid`) or user (`sub`). ' +
        'The logout token is verified against that IdP’s JWKS (RS256), with `iss`, `aud` = ' +
        'OIDC_CLIENT_ID, `iat` within OIDC_LOGOUT_TOKEN_MAX_AGE, `exp` present and not passed, ' +
        'the back-channel logout ' +
        '`events` member, no `nonce`, and a `jti` not seen before on any node.',
      requestBody: form(['logout_token'], { logout_token: str('the logout token (a JWT)') }),
      responses: {
        '200': { description: 'the matching sessions are ended (`Cache-Control: no-store`)' },
        '400': { ...oauthError, description: '`invalid_request`: the logout token is invalid' },
        '429': tooMany,
        '503': { ...oauthError, description: 'the IdP’s keys cannot be fetched right now' },
      },
    },
  },
  '/api/v1/tokens': {
    get: {
      tags: ['session'],
      summary: 'The caller’s API tokens (session cookie, or bearer token with `api:read`)',
      security: [{ bearer: ['api:read'] }, {}],
      responses: {
        '200': { description: 'token metadata, never secrets' },
        '401': oauthError,
        '403': { ...oauthError, description: '`insufficient_scope` (bearer without `api:read`)' },
      },
    },
    post: {
      tags: ['session'],
      summary: 'Mint an access token from a signed-in session (cookie + `X-CSRF-Token`)',
      description:
        'Session-minted tokens carry no refresh token. A bearer token without `api:write` gets ' +
        '`insufficient_scope`; with it, still `access_denied`: tokens cannot mint tokens.',
      security: [{}],
      responses: {
        '201': { description: '`access_token`, `jti`, `scope`, `expires_in`, `expires_at`' },
        '400': oauthError,
        '401': oauthError,
        '403': { ...oauthError, description: 'CSRF, role, tenant disabled or insufficient_scope' },
        '429': tooMany,
      },
    },
  },
  '/oauth/revocation-events': {
    post: {
      tags: ['oauth'],
      summary: 'Revocation event feed (RFC 8936 poll delivery of RFC 8417 SETs)',
      description:
        'For resource servers only (credentials from `resource create`). Delivers the ' +
        'tenant’s revocations oldest first; acknowledged SETs are not delivered again on that ' +
        'stream. With `returnImmediately: false` and nothing to deliver, the request is held ' +
        'up to REVOCATION_FEED_MAX_WAIT (default 20 s, at most 25 s: a receiver’s HTTP timeout ' +
        'must exceed it). See docs/resource-servers.md.',
      security: clientAuth,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                ack: { type: 'array', items: { type: 'string' }, maxItems: 1000 },
                setErrs: {
                  type: 'object',
                  additionalProperties: {
                    type: 'object',
                    properties: { err: { type: 'string' }, description: { type: 'string' } },
                  },
                },
                maxEvents: { type: 'integer', minimum: 0, maximum: 1000, default: 100 },
                returnImmediately: { type: 'boolean', default: false },
                stream: {
                  type: 'string',
                  pattern: '^[A-Za-z0-9_-]{1,64}$',
                  default: 'default',
                  description:
                    'receiver instance: delivery state is kept per resource server and stream',
                },
                ...clientPostFields,
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'SETs by jti (compact JWS, typ secevent+jwt); `Cache-Control: no-store`',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['sets', 'moreAvailable'],
                properties: {
                  sets: { type: 'object', additionalProperties: { type: 'string' } },
                  moreAvailable: { type: 'boolean' },
                },
              },
            },
          },
        },
        '400': {
          description: 'RFC 8936 §2.4.4 error: a malformed poll body',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['err'],
                properties: { err: { type: 'string' }, description: { type: 'string' } },
              },
            },
          },
        },
        '401': { ...oauthError, description: 'invalid_client, with WWW-Authenticate' },
        '403': { ...oauthError, description: 'access_denied: the client is not a resource server' },
        '429': tooMany,
      },
    },
  },
  '/api/v1/tokens/{id}': {
    delete: {
      tags: ['session'],
      summary: 'Revoke one of the caller’s tokens (cookie + CSRF, or bearer with `api:write`)',
      security: [{ bearer: ['api:write'] }, {}],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '204': { description: 'revoked (also when it already was)' },
        '403': { ...oauthError, description: '`insufficient_scope` (bearer without `api:write`)' },
        '404': oauthError,
      },
    },
  },
  '/': {
    get: {
      tags: ['pages'],
      summary: 'Landing page (HTML): what this server is, sign-in, account, docs, metadata',
      responses: { '200': { description: 'text/html' } },
    },
  },
};

/** GET /docs (Swagger UI) and /docs/openapi.json. */
export function setupOpenApi(app: INestApplication, cfg: AppConfig): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tessera')
    .setDescription(
      'Multi-tenant OAuth token authority. Errors are RFC 6749 §5.2 JSON `{error, error_description}`.',
    )
    .setVersion('0.1.0')
    .addServer(cfg.issuer)
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'client_secret_basic' }, 'basic')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  // The management API has its own document, on its own port.
  for (const path of Object.keys(doc.paths)) {
    if (path.startsWith(MANAGEMENT_PREFIX)) delete doc.paths[path];
  }
  for (const [path, item] of Object.entries(OAUTH_PATHS)) {
    doc.paths[path] = { ...doc.paths[path], ...item };
  }
  SwaggerModule.setup('docs', app, doc, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  return doc;
}
