import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal } from '../core/challenge';
import type { AuthOutcome, Principal, ResourceServer } from '../core/resource-server';

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
  const answer = (req: VerifiedRequest, res: ServerResponse, next: Next, outcome: AuthOutcome) => {
    if (!outcome.ok) return sendRefusal(res, outcome.refusal);
    req.tessera = outcome.principal;
    next();
  };
  return (req: VerifiedRequest, res: ServerResponse, next: Next): void => {
    // A token seen before is answered at once; only a signature check waits.
    const known = rs.authenticateKnown(req.headers.authorization, scopes);
    if (known) return answer(req, res, next, known);
    rs.authenticate(req.headers.authorization, scopes).then(
      (outcome) => answer(req, res, next, outcome),
      next,
    );
  };
}

/** Any valid, unrevoked token; routes add `requireScopes` for their own scopes. */
export const tesseraMiddleware = (rs: ResourceServer) => requireScopes(rs);
