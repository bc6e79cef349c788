import { SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { PruneTokenRecords } from '@tessera/application/prune-token-records/prune-token-records.use-case';
import { withTokenServices } from '../wiring/token-services';
import { emit } from '../output';

/** `token prune`: what every node does every TOKEN_PRUNE_INTERVAL, now (safe beside them). */
@SubCommand({
  name: 'prune',
  description: 'delete token records past expiry plus TOKEN_RECORD_RETENTION',
})
export class TokenPruneCommand extends JsonCommand {
  async run(_: string[], f: { json?: boolean }): Promise<void> {
    const r = await withTokenServices((s) =>
      new PruneTokenRecords(s.retention, {
        retention: s.cfg.tokenRecords.retention,
        batch: s.cfg.tokenRecords.pruneBatch,
        maxBatches: Number.MAX_SAFE_INTEGER,
      }).run(),
    );
    emit(
      Boolean(f.json),
      { pruned: r.pruned, batches: r.batches },
      `pruned ${r.pruned} token record${r.pruned === 1 ? '' : 's'} in ${r.batches} batch${r.batches === 1 ? '' : 'es'}`,
    );
  }
}
