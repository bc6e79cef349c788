import type { TokenRecordRetention } from '../tokens/token-record-retention.port';

export interface PruneSettings {
  /** Seconds past expiry a record is kept (≥ the clock-skew leeway: it may still be revoked). */
  retention: number;
  batch: number;
  /** Bounds one pass, so a huge backlog is worked off over several passes, not in one go. */
  maxBatches?: number;
}

export interface PruneResult {
  pruned: number;
  batches: number;
  /** False when the pass stopped at maxBatches with rows left. */
  complete: boolean;
}

/**
 * One prune pass: short transactions of `batch` rows each, until a batch comes back short.
 * Safe to run on every node at once and to repeat (a deleted row is simply not found again;
 * rows another node holds are skipped, not waited for).
 */
export class PruneTokenRecords {
  constructor(
    private readonly retention: TokenRecordRetention,
    private readonly s: PruneSettings,
  ) {}

  async run(): Promise<PruneResult> {
    const max = this.s.maxBatches ?? 1000;
    let pruned = 0;
    for (let batches = 1; ; batches++) {
      const n = await this.retention.pruneBatch(this.s.retention, this.s.batch);
      pruned += n;
      if (n < this.s.batch) return { pruned, batches, complete: true };
      if (batches >= max) return { pruned, batches, complete: false };
    }
  }
}
