/**
 * Error codes are the protocol's own (RFC 6749 §5.2, RFC 6750 §3.1, RFC 8693 §2.2.2, RFC 7009 §2.2.1),
 * so the one HTTP filter can map them without guessing. `not_found`, `conflict` and
 * `rate_limited` are Tessera extensions for the REST API and CLI.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'temporarily_unavailable'
  | 'server_error';

export interface DomainErrorOptions {
  /** Seconds a client should wait before retrying (429, 503): sent as Retry-After. */
  retryAfter?: number;
  /** The scope an `insufficient_scope` refusal needs (RFC 6750 §3.1 `scope` attribute). */
  requiredScope?: string;
  /** What went wrong underneath (a driver's error): logged for 5xx and 503, never sent. */
  cause?: unknown;
}

/** The description must be safe to show a client: no secrets, no token material, no stack. */
export class DomainError extends Error {
  readonly retryAfter?: number;
  readonly requiredScope?: string;

  constructor(
    readonly code: ErrorCode,
    readonly description: string,
    options: DomainErrorOptions = {},
  ) {
    super(`${code}: ${description}`, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'DomainError';
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
    if (options.requiredScope !== undefined) this.requiredScope = options.requiredScope;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
