import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { PruneTokenRecords } from '@tessera/application/prune-token-records/prune-token-records.use-case';

/**
 * Every node prunes api_tokens now and then (the batches skip rows another node holds, so
 * nodes racing share the work). The first pass waits a random part of the interval so nodes
 * started together do not all prune at the same moment. A failed pass is retried next time.
 */
export class TokenRecordPruning implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('TokenRecords');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly prune: PruneTokenRecords,
    private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running ??= this.pass().finally(() => (this.running = undefined));
      this.timer = setTimeout(tick, this.intervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, Math.floor(Math.random() * this.intervalMs));
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }

  private async pass(): Promise<void> {
    try {
      const r = await this.prune.run();
      if (r.pruned) this.log.log(`pruned ${r.pruned} expired token records`);
    } catch (e) {
      this.log.warn(`token record prune failed: ${(e as Error).message}`);
    }
  }
}
