/**
 * RFC 8414 / OpenID Discovery 1.0 metadata: only what Tessera implements. A tenant issuer
 * (ISSUER_MODE=tenant) shares the platform's endpoints and has its own `issuer` and `jwks_uri`.
 */
export function issuerMetadata(platform: string, issuer: string, algs: readonly string[]) {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${platform}/oauth/token`,
    revocation_endpoint: `${platform}/oauth/revoke`,
    introspection_endpoint: `${platform}/oauth/introspect`,
    revocation_events_endpoint: `${platform}/oauth/revocation-events`,
    grant_types_supported: [
      'client_credentials',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    access_token_signing_alg_values_supported: [...new Set(algs)],
    response_types_supported: [],
    service_documentation: `${platform}/docs`,
  };
}
