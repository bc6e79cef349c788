import { Controller, Get, Header, Inject } from '@nestjs/common';
import { DI } from '@tessera/application/di-tokens';
import type { KeyRing } from '@tessera/infrastructure/crypto/key-ring';

/** Verifiers cache this; a staged key is published well before it signs, so 5 minutes is safe. */
@Controller('.well-known')
export class JwksController {
  constructor(@Inject(DI.KeyRing) private readonly ring: KeyRing) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Type', 'application/jwk-set+json')
  jwks() {
    return this.ring.jwks();
  }
}
