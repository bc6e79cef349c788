import { BadRequestException, Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import type { Principal } from '@tessera/resource-server';
import { RequireScopes, TesseraGuard, TesseraPrincipal } from '@tessera/resource-server/nest';

interface Invoice {
  id: string;
  amount: number;
  createdBy: string;
}

/** A toy store, per tenant (`org`): one tenant's tokens never see another's invoices. */
const store = new Map<string, Invoice[]>();

@Controller('invoices')
@UseGuards(TesseraGuard)
export class InvoicesController {
  @Get()
  @RequireScopes('invoices:read')
  list(@TesseraPrincipal() p: Principal) {
    return { org: p.claims.org, invoices: store.get(p.claims.org) ?? [] };
  }

  @Post()
  @RequireScopes('invoices:write')
  create(@TesseraPrincipal() p: Principal, @Body() body: { amount?: unknown }) {
    if (typeof body?.amount !== 'number' || !Number.isFinite(body.amount)) {
      throw new BadRequestException({
        error: 'invalid_request',
        error_description: 'amount must be a number',
      });
    }
    const list = store.get(p.claims.org) ?? [];
    const invoice = { id: `inv_${list.length + 1}`, amount: body.amount, createdBy: p.claims.sub };
    store.set(p.claims.org, [...list, invoice]);
    return invoice;
  }
}
