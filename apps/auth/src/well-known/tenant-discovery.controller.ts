import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { TenantKeys } from '@tessera/infrastructure/crypto/tenant-keys';
import { issuerMetadata } from './issuer-metadata';
import { tenantIssuer } from './tenant-issuer';

/**
 * A tenant issuer's metadata (ISSUER_MODE=tenant): OpenID Discovery appends to the issuer,
 * RFC 8414 §3 inserts the well-known segment before the issuer's path.
 */
@Controller()
export class TenantDiscoveryController {
  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(DI.TenantKeys) private readonly keys: TenantKeys | null,
  ) {}

  private async metadata(slug: string) {
    const t = await tenantIssuer(this.keys, slug);
    return issuerMetadata(
      this.cfg.issuer,
      t.issuer,
      t.ring.list().map((k) => k.alg),
    );
  }

  @Get('t/:slug/.well-known/openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  openid(@Param('slug') slug: string) {
    return this.metadata(slug);
  }

  @Get('.well-known/oauth-authorization-server/t/:slug')
  @Header('Cache-Control', 'public, max-age=300')
  oauth(@Param('slug') slug: string) {
    return this.metadata(slug);
  }
}
