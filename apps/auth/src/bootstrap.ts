import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { ConfigError, type AppConfig } from '@tessera/config';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import { HttpMetrics } from '@tessera/infrastructure/metrics/http-metrics';
import { AuthModule, type AuthAppOptions } from './auth.module';

export type { AuthAppOptions };
import { OAuthErrorFilter } from './http/oauth-error.filter';
import { setupOpenApi } from './ops/openapi';
import { refuseManagementOnPublicPort } from './management/management-request';
import { setupManagementOpenApi } from './management/management-openapi';

/**
 * Nest's logger until pino takes over, minus its stack trace for a start-up refusal: main.ts
 * prints that as the one line an operator acts on.
 */
class StartupLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (message instanceof ConfigError || message instanceof KeyConfigError) return;
    super.error(message, ...(rest as [string]));
  }
}

/** Builds the HTTP app without listening: main.ts and the e2e tests share it. */
export async function createAuthApp(
  cfg: AppConfig,
  opts: AuthAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AuthModule.forRoot(cfg, opts), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
    logger: cfg.logLevel === 'silent' ? false : new StartupLogger(),
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(cfg.http.trustProxy));
  app.use(refuseManagementOnPublicPort);
  // First, so requests the body parsers refuse are counted too.
  app.use(app.get(HttpMetrics).middleware);
  // RFC 6749 bodies are form-encoded; `extended: false` keeps repeated keys as arrays so
  // duplicate parameters can be refused rather than silently picked.
  app.use(express.urlencoded({ extended: false, limit: cfg.http.bodyLimit, parameterLimit: 50 }));
  app.use(express.json({ limit: cfg.http.bodyLimit }));
  app.useGlobalFilters(new OAuthErrorFilter());
  setupOpenApi(app, cfg);
  setupManagementOpenApi(app, cfg);
  return app;
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}
