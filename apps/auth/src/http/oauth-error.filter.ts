import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type ErrorCode } from '@tessera/domain/shared/domain-error';
import { statusOf } from './error-status';
import { isManagementRequest } from '../management/management-request';
import { sendProblem } from '../management/problem';

/** Nest's own HTTP errors (no route, body too large, bad JSON) in the same RFC 6749 shape. */
function fromHttpException(e: HttpException): DomainError & { status: number } {
  const status = e.getStatus();
  const code: ErrorCode =
    status === 404
      ? 'not_found'
      : status === 429
        ? 'rate_limited'
        : status === 401
          ? 'invalid_token'
          : status === 403
            ? 'access_denied'
            : status >= 500
              ? 'server_error'
              : 'invalid_request';
  const body = e.getResponse();
  const msg =
    typeof body === 'object' && body && 'message' in body
      ? (body as { message: unknown }).message
      : e.message;
  // A 400 here is Nest's mapping of a SyntaxError (bad JSON) or URIError: their messages quote input.
  const description =
    status >= 500
      ? 'internal error'
      : status === 400
        ? 'malformed request'
        : Array.isArray(msg)
          ? msg.join('; ')
          : String(msg);
  return Object.assign(new DomainError(code, description), { status });
}

/**
 * The one place errors become HTTP: RFC 6749 §5.2 JSON for every error, `no-store`, and the
 * challenge headers of RFC 6749 §5.2 (invalid_client) and RFC 6750 §3 (invalid_token).
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    let error: DomainError;
    let status: number;
    if (exception instanceof DomainError) {
      error = exception;
      status = statusOf(exception, req, this.log);
    } else if (exception instanceof HttpException) {
      const mapped = fromHttpException(exception);
      error = mapped;
      status = mapped.status;
    } else if (isBodyParserError(exception)) {
      error = new DomainError(
        'invalid_request',
        exception.type === 'entity.too.large' ? 'request body too large' : 'malformed request body',
      );
      status = exception.status;
    } else {
      this.log.error({ err: exception, reqId: (req as { id?: unknown }).id }, 'unhandled error');
      error = new DomainError('server_error', 'internal error');
      status = 500;
    }
    if (res.headersSent) return;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    if (error.code === 'invalid_client') {
      res.setHeader('WWW-Authenticate', 'Basic realm="tessera", charset="UTF-8"');
    } else if (error.code === 'invalid_token' || error.code === 'insufficient_scope') {
      // RFC 6750 §3.1: a request with no bearer token at all gets a challenge without an error.
      const presented = /^Bearer /i.test(req.headers.authorization ?? '');
      const scope = exception instanceof DomainError ? exception.requiredScope : undefined;
      const needs = scope ? `, scope="${scope}"` : '';
      res.setHeader(
        'WWW-Authenticate',
        presented
          ? `Bearer realm="tessera", error="${error.code}"${needs}`
          : 'Bearer realm="tessera"',
      );
    }
    const retryAfter = exception instanceof DomainError ? exception.retryAfter : undefined;
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    if (isManagementRequest(req))
      return sendProblem(req, res, status, error.code, error.description);
    // A feed body the parser refused (bad JSON) is a malformed poll body too.
    const pollBody =
      req.path === '/oauth/revocation-events' &&
      !(exception instanceof DomainError) &&
      error.code === 'invalid_request';
    if ((error as { format?: string }).format === 'rfc8936' || pollBody) {
      // RFC 8936 §2.4.4: a malformed poll body is answered in the feed's own error shape.
      res.status(status).json({ err: error.code, description: error.description });
      return;
    }
    res.status(status).json({ error: error.code, error_description: error.description });
  }
}

/**
 * body-parser's refusals are http-errors: most carry a `type`, but a body that fails to
 * decompress under its Content-Encoding is only `expose`d with a 400.
 */
function isBodyParserError(e: unknown): e is { type?: string; status: number } {
  const t = (e as { type?: unknown })?.type;
  const s = (e as { status?: unknown })?.status;
  const exposed = typeof t === 'string' || (e as { expose?: unknown })?.expose === true;
  return exposed && typeof s === 'number' && s >= 400 && s < 500;
}
