import {
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { LOG_REDACTION, LOG_SERIALIZERS } from './redaction';
import { assignRequestId } from './request-id';
import { RequestContext, type TesseraRequest } from '../http/request-context';

export interface LoggingOptions {
  /** Where JSON lines go (stdout by default); tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/** Tenant and client once the edge resolved them (OAuth client, session or bearer token). */
function who(req: TesseraRequest): { tenant?: string; client?: string } {
  const t = req.tessera;
  if (!t) return {};
  const p = t.principal;
  const tenant =
    t.tenantId ??
    (p?.kind === 'session' ? p.session.tenantId : p?.kind === 'bearer' ? p.claims.org : undefined);
  const client = t.clientId ?? (p?.kind === 'bearer' ? p.claims.client_id : undefined);
  return {
    ...(typeof tenant === 'string' ? { tenant } : {}),
    ...(typeof client === 'string' ? { client } : {}),
  };
}

/**
 * Structured JSON logs (pino): a request id on every line, tenant and client once the edge
 * resolved them (`req.tessera`), and no credential anywhere: requests are logged through an
 * allow-list of headers, query values that look secret are replaced, bodies are never logged.
 */
function pinoHttpOptions(cfg: AppConfig, pretty = false): Options {
  return {
    level: cfg.logLevel,
    genReqId: (req, res) => assignRequestId(req, res),
    // Tenant and client go on the completed line itself: customProps would build two more
    // child loggers per request (at the start, when nothing is known yet, and at the end).
    customSuccessObject: (req, _res, line: object) => ({ ...who(req as TesseraRequest), ...line }),
    customErrorObject: (req, _res, _err, line: object) => ({
      ...who(req as TesseraRequest),
      ...line,
    }),
    serializers: LOG_SERIALIZERS,
    ...LOG_REDACTION,
    // 4xx are the protocol working (bad grants, expired tokens): info, not warnings.
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    ...(pretty
      ? {
          // A worker thread turns each JSON line into one readable line (pino-pretty).
          transport: {
            target: 'pino-pretty',
            options: {
              singleLine: true,
              translateTime: 'SYS:HH:MM:ss.l',
              ignore: 'pid,hostname,req,res,context',
              messageFormat:
                '{if context}[{context}] {end}{if req.method}{req.method} {req.url} {res.statusCode} {end}{msg}',
            },
          },
        }
      : {}),
    // Probes and scrapes every few seconds would drown the log.
    autoLogging: {
      ignore: (req) => /^\/(health\/|metrics)/.test((req as { url?: string }).url ?? ''),
    },
  };
}

/** Above `info` no request line is written: no per-request logger either. */
const QUIET_LEVELS = ['fatal', 'error', 'warn', 'silent'];

@Module({})
export class LoggingModule implements NestModule {
  static forRoot(opts: LoggingOptions = {}): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig): Params => ({
            pinoHttp: opts.destination
              ? [pinoHttpOptions(cfg), opts.destination]
              : pinoHttpOptions(cfg, cfg.logPretty && cfg.logLevel !== 'silent'),
            // pino-http builds a child logger per request, serializing and redacting the
            // request into its bindings (a tenth of a token request's CPU in profiles) even
            // when nothing is logged. At quiet levels the app's one logger serves every request;
            // errors name their request id themselves (the error filter).
            ...(QUIET_LEVELS.includes(cfg.logLevel) ? { useExisting: true as const } : {}),
          }),
        }),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContext.middleware).forRoutes('*');
  }
}
