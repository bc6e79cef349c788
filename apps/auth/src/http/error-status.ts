import type { LoggerService } from '@nestjs/common';
import type { DomainError, ErrorCode } from '@tessera/domain/shared/domain-error';

/** Every error code's HTTP status, for the API's JSON and the pages' HTML alike. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  unsupported_token_type: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  access_denied: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  temporarily_unavailable: 503,
  server_error: 500,
};

/** A DomainError's status; a 5xx's cause (a driver's error) is logged for the operator, never sent. */
export function statusOf(e: DomainError, req: object, log: LoggerService): number {
  const status = ERROR_STATUS[e.code];
  if (status >= 500 && e.cause !== undefined)
    log.warn({ err: e.cause, reqId: (req as { id?: unknown }).id, code: e.code }, e.description);
  return status;
}
