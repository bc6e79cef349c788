import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '@tessera/config';
import { MANAGE_SCOPE, PLATFORM_SCOPE } from '@tessera/domain/tenant/management-scopes';
import { MANAGEMENT_PREFIX } from './management-request';
import { ManagementModule } from './management.module';

type Schema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const str: Schema = { type: 'string' };
const strs: Schema = { type: 'array', items: str, maxItems: 100 };
const time: Schema = { type: 'string', format: 'date-time' };
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
});
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const page = (item: string): Schema =>
  obj(
    { items: { type: 'array', items: ref(item) }, next_cursor: { type: 'string', nullable: true } },
    ['items', 'next_cursor'],
  );

const SCHEMAS: Record<string, Schema> = {
  Problem: obj(
    {
      type: { type: 'string', description: 'stable per error: tag:tessera,2026:problems/{code}' },
      title: str,
      status: { type: 'integer' },
      detail: str,
      code: { type: 'string', description: 'the error code (RFC 6749/6750 or Tessera)' },
      request_id: str,
    },
    ['type', 'title', 'status', 'code'],
  ),
  Tenant: obj(
    {
      id: { type: 'string', pattern: '^org_[0-9a-z]{26}$' },
      slug: str,
      name: str,
      status: { type: 'string', enum: ['active', 'disabled'] },
      created_at: time,
    },
    ['id', 'slug', 'name', 'status', 'created_at'],
  ),
  Client: obj(
    {
      id: { type: 'string', pattern: '^cli_[0-9a-z]{26}$' },
      tenant_id: str,
      name: str,
      grants: strs,
      scopes: strs,
      resources: strs,
      status: { type: 'string', enum: ['active', 'disabled'] },
      client_secret: { type: 'string', description: 'only in the create response, once' },
    },
    ['id', 'tenant_id', 'name', 'grants', 'scopes', 'resources', 'status'],
  ),
  ResourceServer: obj(
    {
      id: { type: 'string', pattern: '^rs_[0-9a-z]{26}$' },
      tenant_id: str,
      identifier: { type: 'string', format: 'uri' },
      scopes: strs,
      client_id: str,
      status: { type: 'string', enum: ['active', 'disabled'] },
      created_at: time,
      client_secret: { type: 'string', description: 'only in the create response, once' },
    },
    ['id', 'tenant_id', 'identifier', 'scopes', 'client_id', 'status', 'created_at'],
  ),
  Token: obj(
    {
      jti: str,
      kind: { type: 'string', enum: ['access', 'refresh'] },
      subject: str,
      client_id: str,
      scopes: strs,
      created_via: str,
      created_at: time,
      expires_at: time,
      revoked_at: { ...time, nullable: true },
    },
    ['jti', 'kind', 'subject', 'client_id', 'scopes', 'created_at', 'expires_at', 'revoked_at'],
  ),
  TrustedIssuer: obj(
    {
      id: { type: 'string', pattern: '^tis_[0-9a-z]{26}$' },
      tenant_id: str,
      issuer: { type: 'string', format: 'uri' },
      jwks_uri: { type: 'string', format: 'uri' },
      audience: str,
      subject_prefix: { type: 'string', nullable: true },
      allowed_scopes: strs,
      role: { type: 'string', nullable: true },
      status: { type: 'string', enum: ['active', 'disabled'] },
      created_at: time,
    },
    ['id', 'tenant_id', 'issuer', 'jwks_uri', 'audience', 'allowed_scopes', 'status'],
  ),
  ExchangeMapping: obj(
    {
      id: { type: 'string', pattern: '^xm_[0-9a-z]{26}$' },
      trusted_issuer_id: str,
      priority: { type: 'integer', minimum: 0, maximum: 10000 },
      match: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'claim path (`/` between levels) → exact value or `*` pattern; all must match',
      },
      scopes: strs,
      role: { type: 'string', nullable: true, enum: ['owner', 'admin', 'member', 'viewer', null] },
      claims: {
        type: 'object',
        additionalProperties: true,
        description:
          'extra claims; names from EXCHANGE_CLAIM_NAMES, never registered or Tessera claims',
      },
      resources: strs,
      created_at: time,
    },
    ['id', 'trusted_issuer_id', 'priority', 'match', 'scopes', 'claims', 'resources'],
  ),
  SigningKey: obj(
    {
      kid: str,
      alg: { type: 'string', enum: ['RS256', 'ES256', 'EdDSA'] },
      status: { type: 'string', enum: ['staged', 'active', 'retiring', 'retired'] },
      created_at: time,
      activated_at: time,
      retiring_at: { ...time, nullable: true },
      retired_at: { ...time, nullable: true },
    },
    ['kid', 'alg', 'status', 'created_at', 'activated_at'],
  ),
  AuditEvent: obj(
    {
      id: str,
      at: time,
      actor: { type: 'string', description: 'the token `sub` that acted (user or client id)' },
      action: str,
      target: { type: 'string', nullable: true },
      details: { type: 'object', additionalProperties: true },
      request_id: { type: 'string', nullable: true },
    },
    ['id', 'at', 'actor', 'action', 'details'],
  ),
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const json = (description: string, schema: Schema) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = (schema: Schema) => ({
  required: true,
  content: { 'application/json': { schema } },
});
const ERRORS = {
  '400': problem('invalid_request (and other RFC 6749 codes such as invalid_scope)'),
  '401': problem('invalid_token: missing, invalid, expired or revoked bearer token'),
  '403': problem(`insufficient_scope: needs ${MANAGE_SCOPE} (or ${PLATFORM_SCOPE})`),
  '404': problem('not_found: no such resource, or another tenant’s'),
  '429': problem('rate_limited; Retry-After says when to try again'),
};
const CREATE_ERRORS = {
  ...ERRORS,
  '409': problem('conflict: duplicate, or an Idempotency-Key reused for another request'),
};
const CONFLICT = {
  ...ERRORS,
  '409': problem('conflict: file keys (SIGNING_KEYS_DIR), or retiring the active key'),
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'a retry with the same key returns the first response and creates nothing',
  schema: { type: 'string', maxLength: 255 },
};
const pageParams = [
  {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
  { name: 'cursor', in: 'query', schema: str, description: 'next_cursor of the previous page' },
];
const q = (name: string, description: string, schema: Schema = str) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/** The usual operations: a create (Idempotency-Key, 201), a page, one resource, a removal. */
const create = (summary: string, request: Schema, description: string, item: string) => ({
  summary,
  parameters: [idempotencyKey],
  requestBody: body(request),
  responses: { '201': json(description, ref(item)), ...CREATE_ERRORS },
});
const list = (summary: string, what: string, item: string, parameters: unknown[] = pageParams) => ({
  summary,
  parameters,
  responses: { '200': json(`a page of ${what}`, page(item)), ...ERRORS },
});
const one = (summary: string, description: string, item: string, errors: object = ERRORS) => ({
  summary,
  responses: { '200': json(description, ref(item)), ...errors },
});
const removal = (summary: string, description = 'removed') => ({
  summary,
  responses: { '204': { description }, ...ERRORS },
});

/** What reflection cannot say: summaries, bodies, responses. Keyed by `METHOD path`. */
const OPERATIONS: Record<string, Operation> = {
  'post /api/v1/tenants': create(
    `Create a tenant (${PLATFORM_SCOPE})`,
    obj({ slug: str, name: str }, ['slug']),
    'the tenant',
    'Tenant',
  ),
  'get /api/v1/tenants': list(
    'List tenants (the platform: all; a tenant: itself)',
    'tenants',
    'Tenant',
  ),
  'get /api/v1/tenants/{tenant_id}': one('Get a tenant', 'the tenant', 'Tenant'),
  'post /api/v1/tenants/{tenant_id}/disable': one(
    `Disable a tenant (${PLATFORM_SCOPE}); its tokens stop verifying`,
    'the tenant',
    'Tenant',
  ),
  'post /api/v1/tenants/{tenant_id}/clients': create(
    'Create a service client; the secret is in this response only',
    obj({ name: str, grants: strs, scopes: strs, resources: strs }, ['name']),
    'the client with `client_secret`',
    'Client',
  ),
  'get /api/v1/tenants/{tenant_id}/clients': list('List the tenant’s clients', 'clients', 'Client'),
  'get /api/v1/tenants/{tenant_id}/clients/{client_id}': one(
    'Get a client',
    'the client',
    'Client',
  ),
  'patch /api/v1/tenants/{tenant_id}/clients/{client_id}': {
    summary: 'Change a client: grants, scopes, the resource servers it may ask tokens for',
    requestBody: body(obj({ grants: strs, scopes: strs, resources: strs })),
    responses: { '200': json('the client', ref('Client')), ...ERRORS },
  },
  'post /api/v1/tenants/{tenant_id}/clients/{client_id}/rotate-secret': {
    summary: 'Rotate a client’s secret (the old one stops working); shown once',
    responses: {
      '200': json('the new secret', obj({ client_id: str, client_secret: str })),
      ...ERRORS,
    },
  },
  'post /api/v1/tenants/{tenant_id}/clients/{client_id}/disable': one(
    'Disable a client',
    'the client',
    'Client',
  ),
  'post /api/v1/tenants/{tenant_id}/resource-servers': create(
    'Register a resource server (an API); its secret is in this response only',
    obj({ identifier: { type: 'string', format: 'uri' }, scopes: strs }, ['identifier']),
    'the resource server with `client_secret`',
    'ResourceServer',
  ),
  'get /api/v1/tenants/{tenant_id}/resource-servers': list(
    'List the tenant’s resource servers',
    'resource servers',
    'ResourceServer',
  ),
  'post /api/v1/tenants/{tenant_id}/resource-servers/{id}/disable': one(
    'Disable a resource server',
    'the resource server',
    'ResourceServer',
  ),
  'post /api/v1/tenants/{tenant_id}/trusted-issuers': create(
    'Trust an external OIDC issuer for token exchange (docs/token-exchange.md)',
    obj(
      {
        issuer: { type: 'string', format: 'uri' },
        jwks_uri: { type: 'string', format: 'uri' },
        audience: str,
        subject_prefix: str,
        scopes: strs,
        role: str,
      },
      ['issuer', 'jwks_uri', 'audience'],
    ),
    'the trusted issuer',
    'TrustedIssuer',
  ),
  'get /api/v1/tenants/{tenant_id}/trusted-issuers': list(
    'List the tenant’s trusted issuers',
    'trusted issuers',
    'TrustedIssuer',
  ),
  'delete /api/v1/tenants/{tenant_id}/trusted-issuers/{issuer_id}': removal(
    'Stop trusting an issuer (with its mappings)',
  ),
  'post /api/v1/tenants/{tenant_id}/trusted-issuers/{issuer_id}/mappings': create(
    'Add an exchange mapping: matching subject tokens get its scopes, role and claims',
    obj(
      {
        priority: { type: 'integer', minimum: 0, maximum: 10000, default: 100 },
        match: { type: 'object', additionalProperties: { type: 'string' } },
        scopes: strs,
        role: str,
        claims: { type: 'object', additionalProperties: true },
        resources: strs,
      },
      ['match'],
    ),
    'the mapping',
    'ExchangeMapping',
  ),
  'get /api/v1/tenants/{tenant_id}/trusted-issuers/{issuer_id}/mappings': {
    summary: 'The issuer’s mappings, in the order they are tried',
    responses: { '200': json('every mapping (one page)', page('ExchangeMapping')), ...ERRORS },
  },
  'delete /api/v1/tenants/{tenant_id}/trusted-issuers/{issuer_id}/mappings/{mapping_id}': removal(
    'Remove an exchange mapping',
  ),
  'get /api/v1/keys': {
    summary: `The platform’s signing keys in the database key store (${PLATFORM_SCOPE})`,
    responses: { '200': json('every key, retired ones included', page('SigningKey')), ...CONFLICT },
  },
  'post /api/v1/keys/rotate': {
    summary: `Add a signing key: published now, signing after KEY_PUBLISH_DELAY (${PLATFORM_SCOPE})`,
    requestBody: {
      required: false,
      content: {
        'application/json': {
          schema: obj({ alg: { type: 'string', enum: ['RS256', 'ES256', 'EdDSA'] } }),
        },
      },
    },
    responses: { '201': json('the new key', ref('SigningKey')), ...CONFLICT },
  },
  'post /api/v1/keys/{kid}/retire': one(
    `Take a staged or retiring key out of the JWKS now (${PLATFORM_SCOPE})`,
    'the key',
    'SigningKey',
    CONFLICT,
  ),
  'get /api/v1/tenants/{tenant_id}/tokens': list(
    'List issued tokens (metadata), newest first',
    'tokens',
    'Token',
    [
      q('client_id', 'only tokens issued to this client'),
      q('subject', 'only tokens of this subject (`sub`)'),
      ...pageParams,
    ],
  ),
  'get /api/v1/tenants/{tenant_id}/tokens/{jti}': one(
    'Get one token’s record',
    'the token',
    'Token',
  ),
  'delete /api/v1/tenants/{tenant_id}/tokens/{jti}': removal(
    'Revoke a token by jti (a refresh token: its family) on every node',
    'revoked',
  ),
  'post /api/v1/tenants/{tenant_id}/tokens/revoke': {
    summary: 'Revoke every token of a client or a subject issued until now (one of the two)',
    requestBody: body(obj({ client_id: str, subject: str })),
    responses: {
      '200': json(
        'the cut-off and what was denied',
        obj(
          {
            issued_before: time,
            access_tokens_denied: { type: 'integer' },
            families_revoked: { type: 'integer' },
          },
          ['issued_before', 'access_tokens_denied', 'families_revoked'],
        ),
      ),
      ...ERRORS,
    },
  },
  'get /api/v1/tenants/{tenant_id}/audit-events': list(
    'The tenant’s audit trail, newest first',
    'audit events',
    'AuditEvent',
    [
      q('actor', 'exact actor'),
      q('action', 'exact action, e.g. client.create'),
      q('since', 'at or after', time),
      q('until', 'before', time),
      ...pageParams,
    ],
  ),
};

/** Exported for the test: every operation the document must describe. */
export const MANAGEMENT_OPERATIONS = Object.keys(OPERATIONS);

/**
 * The management API's own OpenAPI document: the routes come from the controllers (so none
 * can be missing), the details from OPERATIONS. Served at /docs on the management port only.
 */
export function buildManagementOpenApi(app: INestApplication, cfg: AppConfig): OpenAPIObject {
  const m = cfg.management;
  const config = new DocumentBuilder()
    .setTitle('Tessera management API')
    .setDescription(
      `Tenants, clients, resource servers, tokens and audit events. Bearer access tokens from ` +
        `this Tessera with \`${MANAGE_SCOPE}\` (the token’s own tenant) or \`${PLATFORM_SCOPE}\` ` +
        `(a platform client). Errors are RFC 9457 \`application/problem+json\`.`,
    )
    .setVersion('0.1.0')
    .addServer(m ? `http://${m.host}:${m.port}` : 'http://127.0.0.1:3001')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const raw = SwaggerModule.createDocument(app, config, { include: [ManagementModule] });
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(raw.paths)) {
    const outer = path.startsWith(MANAGEMENT_PREFIX) ? path.slice(MANAGEMENT_PREFIX.length) : path;
    const out: Record<string, unknown> = {};
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      const extra = OPERATIONS[`${method} ${outer}`] ?? {};
      // From the path itself: a handler may read `:tenant_id` through @OnTenant, not @Param.
      const pathParams = [...outer.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
        name,
        required: true,
        in: 'path',
        schema: { type: 'string' },
      }));
      out[method] = {
        operationId: op.operationId,
        tags: [outer.startsWith('/api/v1/keys') ? 'keys' : (outer.split('/')[5] ?? 'tenants')],
        security: [{ bearer: [] }],
        ...extra,
        parameters: [...pathParams, ...((extra.parameters as unknown[]) ?? [])],
        responses: extra.responses ?? op.responses,
      };
    }
    paths[outer] = out;
  }
  return {
    ...raw,
    paths,
    components: { ...raw.components, schemas: { ...raw.components?.schemas, ...SCHEMAS } },
  };
}

/** GET /docs (Swagger UI) and /docs/openapi.json on the management port. */
export function setupManagementOpenApi(app: INestApplication, cfg: AppConfig): void {
  const doc = buildManagementOpenApi(app, cfg);
  const base = `${MANAGEMENT_PREFIX.slice(1)}/docs`;
  SwaggerModule.setup(base, app, doc, {
    jsonDocumentUrl: `${base}/openapi.json`,
    yamlDocumentUrl: `${base}/openapi.yaml`,
  });
}
