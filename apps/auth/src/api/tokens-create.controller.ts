import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { SessionTokens } from '@tessera/application/session/session-tokens';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { requestContext } from '@tessera/infrastructure/http/request-context';
import { requireScope } from './required-scope';
import { SessionOrBearerGuard } from './session-or-bearer.guard';
import { tokenOwner } from './token-owner';

/** POST /api/v1/tokens: a new API token pair; the secrets are in this response only. */
@Controller('api/v1')
@UseGuards(SessionOrBearerGuard)
export class TokensCreateController {
  constructor(@Inject(DI.SessionTokens) private readonly tokens: SessionTokens) {}

  @Post('tokens')
  @HttpCode(201)
  async create(
    @Req() req: Request,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const p = requestContext(req).principal;
    requireScope(p, 'write');
    // Necessary, not sufficient: a leaked API token must not be able to mint its own
    // successors (they carry no refresh token, so this is what keeps their expiry real).
    if (p?.kind !== 'session') {
      throw new DomainError('access_denied', 'API tokens are minted from a signed-in session');
    }
    const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    return this.tokens.mint(tokenOwner(p), { name: input.name, scopes: input.scopes });
  }
}
