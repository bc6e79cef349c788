import { Controller, Get, Header, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { KeyRing } from '@tessera/infrastructure/crypto/key-ring';

/** RFC 8414 / OpenID Discovery 1.0 metadata: only what Tessera implements. */
@Controller('.well-known')
export class DiscoveryController {
  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(DI.KeyRing) private readonly ring: KeyRing,
  ) {}

  private metadata() {
    const iss = this.cfg.issuer;
    const algs = [...new Set(this.ring.list().map((k) => k.alg))];
    return {
      issuer: iss,
      jwks_uri: `${iss}/.well-known/jwks.json`,
      token_endpoint: `${iss}/oauth/token`,
      revocation_endpoint: `${iss}/oauth/revoke`,
      introspection_endpoint: `${iss}/oauth/introspect`,
      revocation_events_endpoint: `${iss}/oauth/revocation-events`,
      grant_types_supported: [
        'client_credentials',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      access_token_signing_alg_values_supported: algs,
      response_types_supported: [],
      service_documentation: `${iss}/docs`,
    };
  }

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  openid() {
    return this.metadata();
  }

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  oauth() {
    return this.metadata();
  }
}
