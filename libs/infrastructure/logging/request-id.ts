import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A caller's id is kept only if it cannot inject anything into a log line or a header. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The request id: an upstream X-Request-Id when it is a short safe token, else a fresh UUID.
 * Set on `req.id` (pino-http and the error filter read it) and echoed as X-Request-Id.
 * Idempotent, so the logger and the request context may both call it.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const r = req as IncomingMessage & { id?: unknown };
  if (typeof r.id === 'string') return r.id;
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  r.id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
