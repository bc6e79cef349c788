import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { TenantKeys } from '@tessera/infrastructure/crypto/tenant-keys';
import { tenantIssuer } from './tenant-issuer';

/**
 * One tenant's keys only, each with the platform trust anchor's attestation. Served from the
 * node's cache (rebuilt when the tenant's keys change); max-age TENANT_JWKS_MAX_AGE (300 s by
 * default, like the platform JWKS), which KEY_PUBLISH_DELAY must exceed.
 */
@Controller('t/:slug/.well-known')
export class TenantJwksController {
  constructor(
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Inject(DI.TenantKeys) private readonly keys: TenantKeys | null,
  ) {}

  @Get('jwks.json')
  @Header('Content-Type', 'application/jwk-set+json')
  async jwks(@Param('slug') slug: string, @Res({ passthrough: true }) res: Response) {
    const doc = await (await tenantIssuer(this.keys, slug)).jwks();
    res.setHeader('Cache-Control', `public, max-age=${this.cfg.tenantKeys.jwksMaxAge}`);
    return doc;
  }
}
