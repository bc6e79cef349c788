import type { NextFunction, Request, Response } from 'express';

/**
 * The management API lives in the same Nest app as the public endpoints (one set of
 * config, logging, metrics and rate limits), under this internal prefix. Only the
 * management listener adds it; on the public port a path under it is refused before routing.
 */
export const MANAGEMENT_PREFIX = '/_management';

const viaManagementListener = new WeakSet<object>();

/** Marks a request as having arrived on the management listener. */
export const markManagement = (req: object) => viaManagementListener.add(req);
export const isManagementRequest = (req: object) => viaManagementListener.has(req);

/** Express routes case-insensitively and tolerates repeated slashes: so does this check. */
const UNDER_PREFIX = new RegExp(`^/+${MANAGEMENT_PREFIX.slice(1)}(?:[/?#]|$)`, 'i');
export const isUnderPrefix = (url: string) => UNDER_PREFIX.test(url);

/** First middleware of the app: the public port never reaches a management route. */
export function refuseManagementOnPublicPort(req: Request, res: Response, next: NextFunction) {
  if (isManagementRequest(req) || !isUnderPrefix(decodeSafely(req.url))) return next();
  res
    .status(404)
    .setHeader('Cache-Control', 'no-store')
    .json({ error: 'not_found', error_description: 'no such endpoint' });
}

/** `/%5Fmanagement` must not slip past the check and reach a route express decodes. */
function decodeSafely(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}
