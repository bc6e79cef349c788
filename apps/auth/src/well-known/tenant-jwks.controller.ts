import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { TenantKeys } from '@tessera/infrastructure/crypto/tenant-keys';
import { tenantIssuer } from './tenant-issuer';

/**
 * One tenant's keys only, each with the platform trust anchor's attestation. Served from the
 * node's cache (rebuilt when the tenant's keys change); same max-age as the platform JWKS, which
 * KEY_PUBLISH_DELAY must exceed.
 */
@Controller('t/:slug/.well-known')
export class TenantJwksController {
  constructor(@Inject(DI.TenantKeys) private readonly keys: TenantKeys | null) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Type', 'application/jwk-set+json')
  async jwks(@Param('slug') slug: string) {
    return (await tenantIssuer(this.keys, slug)).jwks();
  }
}
