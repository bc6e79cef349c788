import type { ErrorCode } from '@tessera/domain/shared/domain-error';

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
