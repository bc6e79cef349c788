import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { withTokenServices } from '../db/token-services';
import { createDenylist } from '@tessera/infrastructure/denylist/denylist.module';
import { emit } from '../output';

@SubCommand({ name: 'prune', description: 'delete denylist entries whose tokens have expired' })
export class DenylistPruneCommand extends CommandRunner {
  async run(_: string[], f: { json?: boolean }): Promise<void> {
    const pruned = await withTokenServices((s) =>
      createDenylist({
        tx: s.tx,
        redis: null,
        appUrl: s.appUrl,
        cfg: s.cfg,
        warn: () => {},
      }).prune(),
    );
    emit(
      Boolean(f.json),
      { pruned },
      `pruned ${pruned} expired denylist entr${pruned === 1 ? 'y' : 'ies'}`,
    );
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}

@Command({
  name: 'denylist',
  description: 'the revocation denylist',
  subCommands: [DenylistPruneCommand],
})
export class DenylistCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
