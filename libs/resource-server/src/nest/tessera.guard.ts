import {
  HttpException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Refusal } from '../core/challenge';
import type { AuthOutcome, Principal, ResourceServer } from '../core/resource-server';
import { RESOURCE_SERVER, SCOPES_KEY } from './tokens';

interface Res {
  setHeader(name: string, value: string): void;
}

export function refuse(res: Res, refusal: Refusal): never {
  for (const [k, v] of Object.entries(refusal.headers)) res.setHeader(k, v);
  throw new HttpException(refusal.body, refusal.status);
}

const scopesOf = (reflector: Reflector, ctx: ExecutionContext) =>
  reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, [
    ctx.getHandler(),
    ctx.getClass(),
  ]) ?? [];

/** Verifies the bearer token and the route's @RequireScopes; the principal lands in req.tessera. */
@Injectable()
export class TesseraGuard implements CanActivate {
  constructor(
    @Inject(RESOURCE_SERVER) private readonly rs: ResourceServer,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<{
      headers: Record<string, string | undefined>;
      tessera?: Principal;
    }>();
    const settle = (outcome: AuthOutcome): boolean => {
      if (!outcome.ok) refuse(http.getResponse<Res>(), outcome.refusal);
      req.tessera = outcome.principal;
      return true;
    };
    const scopes = scopesOf(this.reflector, ctx);
    // A token seen before is settled at once; only a signature check waits.
    const known = this.rs.authenticateKnown(req.headers.authorization, scopes);
    return known
      ? settle(known)
      : this.rs.authenticate(req.headers.authorization, scopes).then(settle);
  }
}

/** After AuthGuard('tessera'): the route's @RequireScopes against req.user, 403 when missing. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(
    @Inject(RESOURCE_SERVER) private readonly rs: ResourceServer,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const http = ctx.switchToHttp();
    const principal = http.getRequest<{ user?: Principal }>().user;
    if (!principal) throw new HttpException({ error: 'invalid_token' }, 401);
    const refusal = this.rs.checkScopes(principal, scopesOf(this.reflector, ctx));
    if (refusal) refuse(http.getResponse<Res>(), refusal);
    return true;
  }
}
