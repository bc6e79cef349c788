import { Option, SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { loadConfig } from '@tessera/config';
import { usesDatabaseKeys } from '@tessera/infrastructure/crypto/database-key-ring';
import { loadKeyRing } from '@tessera/infrastructure/crypto/key-loader';
import { listKeys } from '@tessera/infrastructure/crypto/key-rotation';
import { emit } from '../output';
import { withKeyStore } from './key-store';
import { listTenantKeys } from '@tessera/infrastructure/crypto/tenant-key-admin';
import type { KeyView } from '@tessera/infrastructure/crypto/key-rotation';
import { withTenantKeys } from './tenant-key-store';

const lines = (keys: KeyView[], empty: string) =>
  keys
    .map(
      (k) =>
        `${k.kid}  ${k.alg}  ${k.status.padEnd(8)}  created ${k.created_at}  active ${k.activated_at}${k.retired_at ? `  retired ${k.retired_at}` : ''}`,
    )
    .join('\n') || empty;

@SubCommand({ name: 'list', description: 'list the signing keys the server would load' })
export class KeysListCommand extends JsonCommand {
  async run(_args: string[], flags: { json?: boolean; tenant?: string }): Promise<void> {
    if (flags.tenant) {
      const keys = await withTenantKeys(flags.tenant, (k, t) => listTenantKeys(k, t.id));
      emit(
        Boolean(flags.json),
        { tenant: flags.tenant, keys },
        lines(keys, '(no keys: run `keys rotate --tenant`)'),
      );
      return;
    }
    const cfg = loadConfig(process.env);
    if (usesDatabaseKeys(cfg)) {
      const keys = await withKeyStore('list', (db, opts) => listKeys(db.dataSource, opts));
      emit(Boolean(flags.json), { keys }, lines(keys, '(no keys: run `keys rotate`)'));
      return;
    }
    const { ring } = await loadKeyRing({
      ...cfg.keys,
      production: true,
      dataDir: cfg.dataDir,
      dir: cfg.keys.dir ?? `${cfg.dataDir}/keys`,
    });
    const keys = ring.list().map((k) => ({ kid: k.kid, alg: k.alg, status: k.status }));
    emit(
      Boolean(flags.json),
      { keys },
      keys.map((k) => `${k.kid}  ${k.alg}  ${k.status}`).join('\n'),
    );
  }

  @Option({ flags: '--tenant <slug>', description: "a tenant's own keys (ISSUER_MODE=tenant)" })
  parseTenant(v: string): string {
    return v;
  }
}
