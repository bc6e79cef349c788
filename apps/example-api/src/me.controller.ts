import { Controller, Get, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Principal } from '@tessera/resource-server';
import { ScopesGuard, TesseraPrincipal } from '@tessera/resource-server/nest';

/** The same protection through passport, for apps already on @nestjs/passport. */
@Controller('me')
@UseGuards(AuthGuard('tessera'), ScopesGuard)
export class MeController {
  @Get()
  me(@TesseraPrincipal() p: Principal) {
    const { sub, client_id, org, scope } = p.claims;
    return { sub, client_id, org, scope };
  }
}
