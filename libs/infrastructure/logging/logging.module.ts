import {
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { APP_CONFIG, type AppConfig } from '@tessera/config';
import { REDACT_PATHS, REDACTED, serializeReq, serializeRes } from './redaction';
import { assignRequestId } from './request-id';
import { RequestContext } from './request-context';

export interface LoggingOptions {
  /** Where JSON lines go (stdout by default); tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

interface TesseraRequest {
  tessera?: { tenantId?: string; clientId?: string };
}

/**
 * Structured JSON logs (pino): a request id on every line, tenant and client once the edge
 * resolved them (`req.tessera`), and no credential anywhere: requests are logged through an
 * allow-list of headers, query values that look secret are replaced, bodies are never logged.
 */
function pinoHttpOptions(cfg: AppConfig): Options {
  return {
    level: cfg.logLevel,
    genReqId: (req, res) => assignRequestId(req, res),
    customProps: (req) => {
      const t = (req as TesseraRequest).tessera;
      return t ? { tenant: t.tenantId, client: t.clientId } : {};
    },
    serializers: { req: serializeReq, res: serializeRes },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'info',
    // Probes and scrapes every few seconds would drown the log.
    autoLogging: {
      ignore: (req) => /^\/(health\/|metrics)/.test((req as { url?: string }).url ?? ''),
    },
  };
}

@Module({})
export class LoggingModule implements NestModule {
  static forRoot(opts: LoggingOptions = {}): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig) => ({
            pinoHttp: opts.destination
              ? [pinoHttpOptions(cfg), opts.destination]
              : pinoHttpOptions(cfg),
          }),
        }),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContext.middleware).forRoutes('*');
  }
}
