import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { loadConfig } from './config';

/** An example SaaS API protected by @tessera/resource-server (see apps/example-api/README.md). */
async function main(): Promise<void> {
  const cfg = loadConfig(process.env);
  const app = await NestFactory.create(AppModule.forRoot(cfg), { abortOnError: false });
  app.enableShutdownHooks();
  await app.listen(cfg.port, cfg.host);
  process.stdout.write(`example-api listening on http://${cfg.host}:${cfg.port}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`example-api: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
