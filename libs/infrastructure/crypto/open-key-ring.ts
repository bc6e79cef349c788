import type { DataSource } from 'typeorm';
import type { AppConfig } from '@tessera/config';
import {
  DatabaseKeyRing,
  databaseKeyOptions,
  usesDatabaseKeys,
  type KeyLog,
} from './database-key-ring';
import { loadKeyRing, type KeySource, type LoadedKeys } from './key-loader';
import type { KeyRing } from './key-ring';

/** The key files' settings (SIGNING_KEYS_DIR, or a development key under the data dir). */
export const fileKeySource = (cfg: AppConfig): KeySource => ({
  dir: cfg.keys.dir,
  primary: cfg.keys.primary,
  production: cfg.production,
  dataDir: cfg.dataDir,
  devAlg: cfg.keys.devAlg,
});

/** The warning a freshly generated development key gets, wherever it was generated. */
export const devKeyWarning = (loaded: LoadedKeys): string | undefined =>
  loaded.generatedDevKey
    ? `DEVELOPMENT SIGNING KEY generated at ${loaded.generatedDevKey} (kid ${loaded.ring.kid}). ` +
      'Never use it in production: set SIGNING_KEYS_DIR to keys from `npm run -s cli -- keys generate`.'
    : undefined;

/**
 * The signing keys (docs/keys.md), chosen one way for the server and the CLI: the database key
 * store when KEY_ENCRYPTION_SECRET is set without SIGNING_KEYS_DIR (and a database is at
 * hand), else the key files. The server starts the database ring's reload timer itself.
 */
export async function openKeyRing(
  cfg: AppConfig,
  ds: DataSource | undefined,
  log: KeyLog,
): Promise<KeyRing> {
  if (usesDatabaseKeys(cfg) && ds) {
    const ring = await DatabaseKeyRing.open(ds, databaseKeyOptions(cfg, log));
    log.log(
      `signing with kid ${ring.kid} (${ring.alg}) from the database; ${ring.list().length} key(s) published`,
    );
    return ring;
  }
  const loaded = await loadKeyRing(fileKeySource(cfg));
  const warning = devKeyWarning(loaded);
  if (warning) log.warn(warning);
  log.log(
    `signing with kid ${loaded.ring.kid} (${loaded.ring.alg}); ${loaded.ring.list().length} key(s) published`,
  );
  return loaded.ring;
}
