import { Command, SubCommand } from 'nest-commander';
import { CommandGroup, JsonCommand } from '../options';
import { withTokenServices } from '../wiring/token-services';
import { createDenylist } from '@tessera/infrastructure/denylist/denylist.module';
import { emit } from '../output';

@SubCommand({ name: 'prune', description: 'delete denylist entries whose tokens have expired' })
export class DenylistPruneCommand extends JsonCommand {
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
}

@Command({
  name: 'denylist',
  description: 'the revocation denylist',
  subCommands: [DenylistPruneCommand],
})
export class DenylistCommand extends CommandGroup {}
