import { Module } from '@nestjs/common';
import { DiscoveryController } from './discovery.controller';
import { JwksController } from './jwks.controller';
import { TenantDiscoveryController } from './tenant-discovery.controller';
import { TenantJwksController } from './tenant-jwks.controller';
import { TrustAnchorController } from './trust-anchor.controller';

/** Discovery and keys (RFC 8414, OpenID Discovery, JWKS), the platform's and each tenant's. */
@Module({
  controllers: [
    DiscoveryController,
    JwksController,
    TenantDiscoveryController,
    TenantJwksController,
    TrustAnchorController,
  ],
})
export class WellKnownModule {}
