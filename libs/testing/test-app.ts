import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, type AppConfig } from '@tessera/config';
import { createAuthApp } from '../../apps/auth/src/bootstrap';
import type { TestDatabase } from './test-database';

export interface RunningApp {
  app: NestExpressApplication;
  cfg: AppConfig;
  url: string;
  close(): Promise<void>;
}

/** Boots the real app on a free loopback port, with env overrides, against a test database. */
export async function startTestApp(
  db: TestDatabase,
  env: Record<string, string | undefined> = {},
): Promise<RunningApp> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'tessera-app-'));
  const base: Record<string, string | undefined> = {
    // Test files share one Redis and one source address: limits are switched on where tested.
    RATE_LIMIT_ENABLED: 'false',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: db.appUrl,
    DATABASE_ADMIN_URL: db.ownerUrl,
    PORT: '0',
    MANAGEMENT_PORT: 'off',
    DEV_KEY_ALG: 'ES256',
  };
  const merged = { ...base, ...env };
  const cfg0 = loadConfig(merged as NodeJS.ProcessEnv);
  const app = await createAuthApp(cfg0);
  // PORT=0 (the default here) picks a free port; a test that must know it first passes one.
  await app.listen(cfg0.http.port, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  // The issuer is only known once the port is: tests that need an exact iss pass ISSUER.
  return { app, cfg: cfg0, url, close: () => app.close() };
}
