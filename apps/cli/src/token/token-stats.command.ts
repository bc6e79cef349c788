import { Option, SubCommand } from 'nest-commander';
import { JsonCommand, type TenantFlags } from '../options';
import { withTokenServices } from '../wiring/token-services';
import { tenantBySlug } from '../wiring/tenant-flag';
import { emit } from '../output';

/** `token stats [--tenant <slug>]`: the size of api_tokens, by state (every tenant without --tenant). */
@SubCommand({ name: 'stats', description: 'count token records: live, revoked, expired, prunable' })
export class TokenStatsCommand extends JsonCommand {
  @Option({ flags: '--tenant <slug>', description: 'one tenant (default: every tenant)' })
  parseTenant(v: string): string {
    return v;
  }

  async run(_: string[], f: TenantFlags): Promise<void> {
    const { stats, retention } = await withTokenServices(async (s) => {
      const tenant = f.tenant === undefined ? undefined : await tenantBySlug(s, f.tenant);
      const retention = s.cfg.tokenRecords.retention;
      return { stats: await s.retention.stats(retention, tenant?.id), retention };
    });
    const out = {
      tenant: f.tenant ?? null,
      rows: stats.rows,
      live: stats.live,
      revoked: stats.revoked,
      expired: stats.expired,
      prunable: stats.prunable,
      by_kind: { access: stats.access, refresh: stats.refresh },
      oldest_expires_at: stats.oldestExpiresAt?.toISOString() ?? null,
      retention_seconds: retention,
      table_bytes: stats.tableBytes,
    };
    emit(
      Boolean(f.json),
      out,
      `${out.rows} token records (${out.live} live, ${out.revoked} revoked, ${out.expired} expired, ` +
        `${out.prunable} prunable); table ${Math.round(out.table_bytes / 1024)} KiB`,
    );
  }
}
