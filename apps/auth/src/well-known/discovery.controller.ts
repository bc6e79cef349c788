import { Controller, Get, Header, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { KeyRing } from '@tessera/infrastructure/crypto/key-ring';
import { issuerMetadata } from './issuer-metadata';

/** RFC 8414 / OpenID Discovery 1.0 metadata: only what Tessera implements. */
@Controller('.well-known')
export class DiscoveryController {
  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(DI.KeyRing) private readonly ring: KeyRing,
  ) {}

  private metadata() {
    const iss = this.cfg.issuer;
    return issuerMetadata(
      iss,
      iss,
      this.ring.list().map((k) => k.alg),
    );
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
