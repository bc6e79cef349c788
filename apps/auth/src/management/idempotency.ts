import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { IdempotencyStore } from '@tessera/application/idempotency/idempotency-store.port';
import { DomainError } from '@tessera/domain/shared/domain-error';
import type { ManagementPrincipal } from './management-principal';

const KEY = /^[\x21-\x7e]{1,255}$/;

export interface Created<T> {
  body: T;
  /** What a replay returns: the body minus anything shown once (a client secret). */
  replay: unknown;
}

/**
 * Idempotency-Key on creates: the first request with a key runs `create`; a retry with the
 * same key and the same request gets the first answer (status and body, `Idempotent-Replayed:
 * true`) and creates nothing. Keys are per tenant and actor, kept 24 hours, in Postgres.
 */
export async function idempotent<T>(
  store: IdempotencyStore,
  req: Request,
  res: Response,
  principal: ManagementPrincipal,
  create: () => Promise<Created<T>>,
): Promise<T | unknown> {
  const key = req.header('idempotency-key');
  if (key === undefined) return (await create()).body;
  if (!KEY.test(key)) {
    throw new DomainError('invalid_request', 'Idempotency-Key is 1-255 printable characters');
  }
  const scope = { tenantId: principal.tenantId, actor: principal.actor, key };
  const hash = createHash('sha256')
    .update(`${req.method} ${req.path}\n${JSON.stringify(req.body ?? null)}`)
    .digest('base64url');
  const claimed = await store.claim(scope, hash);
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
    await store.release(scope).catch(() => undefined);
    throw e;
  }
  await store.complete(scope, { status: 201, body: created.replay });
  return created.body;
}
