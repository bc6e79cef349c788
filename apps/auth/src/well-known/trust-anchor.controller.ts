import { Controller, Get, Header, Inject } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { TenantKeys } from '@tessera/infrastructure/crypto/tenant-keys';

/**
 * The platform trust anchor's public key (ISSUER_MODE=tenant), for convenience: a resource
 * server should pin it from a trusted channel (`keys anchor`), not trust this response.
 */
@Controller('.well-known')
export class TrustAnchorController {
  constructor(@Inject(DI.TenantKeys) private readonly keys: TenantKeys | null) {}

  @Get('trust-anchor.json')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Type', 'application/jwk-set+json')
  anchor() {
    if (!this.keys?.anchor)
      throw new DomainError('not_found', 'no trust anchor: ISSUER_MODE is platform');
    return { keys: [this.keys.anchor.jwk] };
  }
}
