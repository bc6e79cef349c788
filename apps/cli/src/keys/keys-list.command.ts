import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { loadConfig } from '@tessera/config';
import { loadKeyRing } from '@tessera/infrastructure/crypto/key-loader';
import { emit } from '../output';

@SubCommand({ name: 'list', description: 'list the signing keys the server would load' })
export class KeysListCommand extends CommandRunner {
  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const cfg = loadConfig(process.env);
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

  @Option({ flags: '--json', description: 'print one JSON object' })
  parseJson(): boolean {
    return true;
  }
}
