import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '@tessera/config';
import { startEmbeddedPostgres, type EmbeddedCluster } from './embedded-postgres';
import { provisionDatabase } from './provision';

export interface ResolvedDatabase {
  appUrl: string;
  /** The owner's URL, for migrations; absent when only DATABASE_URL was given. */
  ownerUrl?: string;
  embedded?: EmbeddedCluster;
}

interface RoleSecrets {
  ownerPassword: string;
  appPassword: string;
}

async function roleSecrets(dataDir: string): Promise<RoleSecrets> {
  const file = path.join(dataDir, 'postgres-roles.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as RoleSecrets;
  const secrets = {
    ownerPassword: randomBytes(24).toString('base64url'),
    appPassword: randomBytes(24).toString('base64url'),
  };
  await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

/**
 * DATABASE_URL (+ DATABASE_ADMIN_URL) point at an existing Postgres; without them an embedded
 * cluster is started (or joined, when a running server already started it) and provisioned.
 */
export async function resolveDatabase(
  cfg: AppConfig,
  log: (line: string) => void,
): Promise<ResolvedDatabase> {
  if (cfg.database.url) return { appUrl: cfg.database.url, ownerUrl: cfg.database.adminUrl };
  const embedded = await startEmbeddedPostgres({ dataDir: cfg.dataDir, log });
  try {
    const secrets = await roleSecrets(cfg.dataDir);
    const urls = await provisionDatabase(embedded.superuserUrl, {
      database: 'tessera',
      ownerRole: 'tessera_owner',
      appRole: 'tessera_app',
      ...secrets,
    });
    return { ...urls, embedded };
  } catch (e) {
    if (embedded.owned) await embedded.stop().catch(() => undefined);
    throw e;
  }
}
