import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal } from '../core/challenge';
import type { Principal, ResourceServer } from '../core/resource-server';

/** The request after the middleware: `req.tessera` holds the verified token. */
export type VerifiedRequest = IncomingMessage & { tessera?: Principal };
type Next = (err?: unknown) => void;

/** Writes a refusal on a plain Node or Express response. */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  res.statusCode = refusal.status;
  for (const [k, v] of Object.entries(refusal.headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(refusal.body));
}

/** Express (or Connect) middleware: a valid, unrevoked token carrying every scope listed. */
export function requireScopes(rs: ResourceServer, ...scopes: string[]) {
  return (req: VerifiedRequest, res: ServerResponse, next: Next): void => {
    rs.authenticate(req.headers.authorization, scopes).then((outcome) => {
      if (!outcome.ok) return sendRefusal(res, outcome.refusal);
      req.tessera = outcome.principal;
      next();
    }, next);
  };
}

/** Any valid, unrevoked token; routes add `requireScopes` for their own scopes. */
export const tesseraMiddleware = (rs: ResourceServer) => requireScopes(rs);
