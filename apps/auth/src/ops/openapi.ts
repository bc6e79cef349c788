import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '@tessera/config';

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
      requestBody: form(['token'], {
        token: str('the token to revoke'),
        token_type_hint: str('hint', { enum: ['access_token', 'refresh_token'] }),
        ...clientPostFields,
      }),
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
      requestBody: form(['token'], {
        token: str('the token to introspect'),
        token_type_hint: str('hint', { enum: ['access_token', 'refresh_token'] }),
        ...clientPostFields,
      }),
      responses: {
        '200': {
          description: 'RFC 7662 §2.2; `{"active":false}` for anything not active for this client',
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
                  aud: { type: 'string' },
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
  for (const [path, item] of Object.entries(OAUTH_PATHS)) {
    doc.paths[path] = { ...doc.paths[path], ...item };
  }
  SwaggerModule.setup('docs', app, doc, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  return doc;
}
