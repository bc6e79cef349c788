import { HttpException, Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Refusal } from '../core/challenge';
import type { Principal, ResourceServer } from '../core/resource-server';
import { TesseraStrategy } from '../passport/tessera.strategy';
import { RESOURCE_SERVER } from './tokens';

const asHttp = (r: Refusal) => new HttpException(r.body, r.status);

/**
 * Registers the 'tessera' passport strategy: `@UseGuards(AuthGuard('tessera'), ScopesGuard)`.
 * Refusals reach AuthGuard as errors, which it rethrows: the same RFC 6750 body and
 * WWW-Authenticate as TesseraGuard (a failed challenge would become Nest's generic 401).
 */
@Injectable()
export class TesseraPassportStrategy extends PassportStrategy(TesseraStrategy, 'tessera') {
  constructor(@Inject(RESOURCE_SERVER) rs: ResourceServer) {
    super({ server: rs, toError: asHttp, toChallengeError: asHttp });
  }

  validate(principal: Principal): Principal {
    return principal;
  }
}
