import {
  applyDecorators,
  ArgumentsHost,
  Catch,
  Controller,
  HttpException,
  Logger,
  UseFilters,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { statusOf } from '../http/error-status';
import { errorPage } from './error.page';
import { setPageHeaders } from './page-headers';

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
      status = statusOf(exception, req, this.log);
      description = exception.description;
      if (exception.retryAfter) res.setHeader('Retry-After', String(exception.retryAfter));
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

/** A browser-facing controller (sign-in, callback, account pages): its errors are pages. */
export const PageController = (path?: string) =>
  applyDecorators(
    path === undefined ? Controller() : Controller(path),
    UseFilters(PageErrorFilter),
  );
