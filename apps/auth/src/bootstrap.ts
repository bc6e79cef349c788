import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { AppConfig } from '@tessera/config';
import { AuthModule } from './auth.module';
import { OAuthErrorFilter } from './http/oauth-error.filter';

/** Builds the HTTP app without listening: main.ts and the e2e tests share it. */
export async function createAuthApp(cfg: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AuthModule.forRoot(cfg), {
    bodyParser: false,
    abortOnError: false,
    logger: cfg.logLevel === 'silent' ? false : undefined,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(cfg.http.trustProxy));
  // RFC 6749 bodies are form-encoded; `extended: false` keeps repeated keys as arrays so
  // duplicate parameters can be refused rather than silently picked.
  app.use(express.urlencoded({ extended: false, limit: cfg.http.bodyLimit, parameterLimit: 50 }));
  app.use(express.json({ limit: cfg.http.bodyLimit }));
  app.useGlobalFilters(new OAuthErrorFilter());
  return app;
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}
