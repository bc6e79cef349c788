import { HttpException, Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Principal, ResourceServer } from '../core/resource-server';
import { TesseraStrategy } from '../passport/tessera.strategy';
import { RESOURCE_SERVER } from './tokens';

/** Registers the 'tessera' passport strategy: `@UseGuards(AuthGuard('tessera'), ScopesGuard)`. */
@Injectable()
export class TesseraPassportStrategy extends PassportStrategy(TesseraStrategy, 'tessera') {
  constructor(@Inject(RESOURCE_SERVER) rs: ResourceServer) {
    super({ server: rs, toError: (r) => new HttpException(r.body, r.status) });
  }

  validate(principal: Principal): Principal {
    return principal;
  }
}
