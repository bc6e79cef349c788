import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import { assignRequestId } from './request-id';

const storage = new AsyncLocalStorage<{ requestId: string }>();

/** The current request's id for code far from `req` (the audit log). */
export const RequestContext = {
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
  middleware(req: Request, res: Response, next: NextFunction): void {
    storage.run({ requestId: assignRequestId(req, res) }, next);
  },
};
