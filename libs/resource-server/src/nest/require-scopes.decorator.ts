import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '../core/resource-server';
import { SCOPES_KEY } from './tokens';

/** Every scope listed must be in the token (on a handler, or on a controller for all of them). */
export const RequireScopes = (...scopes: string[]) => SetMetadata(SCOPES_KEY, scopes);

/** The verified token of this request (set by TesseraGuard, or by AuthGuard('tessera')). */
export const TesseraPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined => {
    const req = ctx.switchToHttp().getRequest<{ tessera?: Principal; user?: Principal }>();
    return req.tessera ?? req.user;
  },
);
