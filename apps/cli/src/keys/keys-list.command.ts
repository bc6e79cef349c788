import { SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { loadConfig } from '@tessera/config';
import { usesDatabaseKeys } from '@tessera/infrastructure/crypto/database-key-ring';
import { loadKeyRing } from '@tessera/infrastructure/crypto/key-loader';
import { listKeys } from '@tessera/infrastructure/crypto/key-rotation';
import { emit } from '../output';
import { withKeyStore } from './key-store';

@SubCommand({ name: 'list', description: 'list the signing keys the server would load' })
export class KeysListCommand extends JsonCommand {
  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const cfg = loadConfig(process.env);
    if (usesDatabaseKeys(cfg)) {
      const keys = await withKeyStore('list', (db, opts) => listKeys(db.dataSource, opts));
      emit(
        Boolean(flags.json),
        { keys },
        keys
          .map(
            (k) =>
              `${k.kid}  ${k.alg}  ${k.status.padEnd(8)}  created ${k.created_at}  active ${k.activated_at}${k.retired_at ? `  retired ${k.retired_at}` : ''}`,
          )
          .join('\n') || '(no keys: run `keys rotate`)',
      );
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
}
