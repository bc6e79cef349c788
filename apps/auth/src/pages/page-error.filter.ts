import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type ErrorCode } from '@tessera/domain/shared/domain-error';
import { errorPage } from './error.page';
import { setPageHeaders } from './page-headers';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_request: 400,
  invalid_scope: 400,
  invalid_token: 401,
  access_denied: 403,
  insufficient_scope: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  temporarily_unavailable: 503,
};

/**
 * Browser-facing routes (sign-in, callback, account pages) answer errors as a readable page
 * rather than the API's JSON; same safe descriptions, never a stack.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('Pages');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    let status = 500;
    let description = 'internal error';
    if (exception instanceof DomainError) {
      status = STATUS[exception.code] ?? 400;
      description = exception.description;
      const retryAfter = (exception as { retryAfter?: unknown }).retryAfter;
      if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    } else if (exception instanceof HttpException && exception.getStatus() < 500) {
      status = exception.getStatus();
      description = status === 429 ? 'too many requests, try again shortly' : 'bad request';
      const retryAfter = exception.getResponse() as { retryAfter?: number };
      if (retryAfter?.retryAfter) res.setHeader('Retry-After', String(retryAfter.retryAfter));
    } else {
      this.log.error({ err: exception, reqId: (req as { id?: unknown }).id }, 'page error');
    }
    if (res.headersSent) return;
    setPageHeaders(res);
    res.status(status).type('html').send(errorPage(status, description));
  }
}
