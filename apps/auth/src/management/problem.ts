import type { Request, Response } from 'express';
import type { ErrorCode } from '@tessera/domain/shared/domain-error';

/** Stable problem types (RFC 9457 §3.1.1): a tag URI per error code, never resolved. */
export const problemType = (code: ErrorCode) => `tag:tessera,2026:problems/${code}`;

const TITLES: Record<ErrorCode, string> = {
  invalid_request: 'Invalid request',
  invalid_client: 'Invalid client',
  invalid_grant: 'Invalid grant',
  unauthorized_client: 'Unauthorized client',
  unsupported_grant_type: 'Unsupported grant type',
  invalid_scope: 'Invalid scope',
  invalid_target: 'Invalid target',
  invalid_token: 'Invalid token',
  insufficient_scope: 'Insufficient scope',
  unsupported_token_type: 'Unsupported token type',
  access_denied: 'Access denied',
  not_found: 'Not found',
  conflict: 'Conflict',
  rate_limited: 'Too many requests',
  temporarily_unavailable: 'Temporarily unavailable',
  server_error: 'Internal error',
};

/** RFC 9457 problem details for the management API (the OAuth error filter calls this). */
export function sendProblem(
  req: Request,
  res: Response,
  status: number,
  code: ErrorCode,
  detail: string,
): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: problemType(code),
        title: TITLES[code],
        status,
        detail,
        code,
        ...(typeof (req as { id?: unknown }).id === 'string'
          ? { request_id: (req as { id?: string }).id }
          : {}),
      }),
    );
}
