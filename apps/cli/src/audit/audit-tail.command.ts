import { Option, SubCommand } from 'nest-commander';
import { JsonCommand, type TenantFlags } from '../options';
import { TypeOrmAuditTrail } from '@tessera/infrastructure/audit/typeorm-audit-trail';
import { withCliDatabase } from '../wiring/cli-database';
import { DomainError } from '@tessera/domain/shared/domain-error';
import { CliError, emit } from '../output';

interface Flags extends TenantFlags {
  limit?: number;
}

@SubCommand({ name: 'tail', description: "a tenant's latest audit events, newest first" })
export class AuditTailCommand extends JsonCommand {
  async run(_args: string[], flags: Flags): Promise<void> {
    const limit = flags.limit ?? 20;
    const events = await withCliDatabase(async (db) => {
      if (!flags.tenant) throw new CliError('--tenant <slug> is required');
      const tenant = await db.tenants.bySlug(flags.tenant);
      if (!tenant) {
        throw new DomainError('invalid_request', `unknown tenant "${flags.tenant.slice(0, 64)}"`);
      }
      return new TypeOrmAuditTrail(db.tx).tail(tenant.id, limit);
    });
    emit(
      Boolean(flags.json),
      { events },
      events.length
        ? events
            .map((e) =>
              [e.at, e.action, e.actor, e.target ?? '-', JSON.stringify(e.details)].join('  '),
            )
            .join('\n')
        : 'no audit events',
    );
  }

  // Not TenantScopedCommand: run() reports a missing --tenant in its own words.
  @Option({ flags: '--tenant <slug>', description: 'the tenant' })
  parseTenant(v: string): string {
    return v;
  }

  @Option({ flags: '--limit <n>', description: 'how many events (1-1000, default 20)' })
  parseLimit(v: string): number {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 1000) throw new CliError('--limit must be 1 to 1000');
    return n;
  }
}
