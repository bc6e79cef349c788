import { createHash } from 'node:crypto';
import { createParamDecorator, Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DI } from '@tessera/application/di-tokens';
import type { IdempotencyStore } from '@tessera/application/idempotency/idempotency-store.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { principalOf, type ManagementPrincipal } from './management-principal';

const KEY = /^[\x21-\x7e]{1,255}$/;

export interface Created<T> {
  body: T;
  /** What a replay returns when it differs from `body`: minus anything shown once (a secret). */
  replay?: unknown;
}

/** What an Idempotency-Key needs of a create request: its key, what it asked, who asked. */
export interface CreateRequest {
  req: Request;
  res: Response;
  principal: ManagementPrincipal;
}

/** The handler's `CreateRequest` (with `IdempotentCreates.run`): no `@Res` in handlers. */
export const Creation = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const http = ctx.switchToHttp();
  const req = http.getRequest<Request>();
  return { req, res: http.getResponse<Response>(), principal: principalOf(req) };
});

/**
 * Idempotency-Key on creates: the first request with a key runs `create`; a retry with the
 * same key and the same request gets the first answer (status and body, `Idempotent-Replayed:
 * true`) and creates nothing. Keys are per tenant and actor, kept 24 hours, in Postgres.
 */
@Injectable()
export class IdempotentCreates {
  constructor(@Inject(DI.IdempotencyStore) private readonly store: IdempotencyStore) {}

  async run<T>(call: CreateRequest, create: () => Promise<Created<T>>): Promise<T | unknown> {
    const { req, res, principal } = call;
    const key = req.header('idempotency-key');
    if (key === undefined) return (await create()).body;
    if (!KEY.test(key)) {
      throw new DomainError('invalid_request', 'Idempotency-Key is 1-255 printable characters');
    }
    const scope = { tenantId: principal.tenantId, actor: principal.actor, key };
    const hash = createHash('sha256')
      .update(`${req.method} ${req.path}\n${JSON.stringify(req.body ?? null)}`)
      .digest('base64url');
    const claimed = await this.store.claim(scope, hash);
    if (claimed.state === 'done') {
      res.status(claimed.response.status).setHeader('Idempotent-Replayed', 'true');
      return claimed.response.body;
    }
    if (claimed.state === 'mismatch') {
      throw new DomainError('conflict', 'this Idempotency-Key was used for a different request');
    }
    if (claimed.state === 'in_progress') {
      throw new DomainError('conflict', 'a request with this Idempotency-Key is still running', {
        retryAfter: 1,
      });
    }
    let created: Created<T>;
    try {
      created = await create();
    } catch (e) {
      await this.store.release(scope).catch(() => undefined);
      throw e;
    }
    await this.store.complete(scope, { status: 201, body: created.replay ?? created.body });
    return created.body;
  }
}
