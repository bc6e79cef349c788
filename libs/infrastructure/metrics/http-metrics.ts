import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from './metrics-registry';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route label is the template Express matched for Nest (`/api/v1/tokens/:id`), never the
 * raw path: ids, tokens in paths and scanners' random URLs would make the series unbounded.
 */
export function routeTemplate(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  // Nest mounts module middleware as catch-all routes: matching only those means no handler did.
  if (typeof path !== 'string' || CATCH_ALL.test(path)) return 'unmatched';
  return `${req.baseUrl ?? ''}${path}` || '/';
}

const CATCH_ALL = /^\/?(\*|\{\*\w*\}|\*\w+)$/;

export class HttpMetrics {
  private readonly total: Counter<'route' | 'method' | 'status'>;
  private readonly duration: Histogram<'route' | 'method' | 'status'>;

  constructor(registry: MetricsRegistry) {
    this.total = new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'HTTP request duration from arrival to the last byte, by route template',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }

  /** Express middleware: mount first, so body-parser rejections are counted too. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      const labels = {
        route: routeTemplate(req),
        method: METHODS.has(req.method) ? req.method : 'OTHER',
        // A client that hangs up before we answer never sees a status: 499, as nginx logs it.
        status: res.writableFinished ? String(res.statusCode) : '499',
      };
      this.total.inc(labels);
      this.duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
