import { Option, SubCommand } from 'nest-commander';
import { TenantScopedCommand } from '../options';
import { revokeTenantKey } from '@tessera/infrastructure/crypto/tenant-key-admin';
import { CliError, emit } from '../output';
import { auditTenantKeyEvent, withTenantKeys } from './tenant-key-store';

const KID = /^[A-Za-z0-9._:-]{1,200}$/;

@SubCommand({
  name: 'revoke',
  arguments: '<kid>',
  description:
    "emergency: remove a tenant's key from its JWKS now, activate a successor at once, deny every token it signed",
})
export class KeysRevokeCommand extends TenantScopedCommand {
  async run(
    [kid]: string[],
    flags: { tenant: string; reason?: string; json?: boolean },
  ): Promise<void> {
    if (!kid || !KID.test(kid)) {
      throw new CliError(
        'keys revoke --tenant <slug> <kid> --reason <text>: a kid from `keys list --tenant`',
      );
    }
    if (!flags.reason)
      throw new CliError('--reason <text> is required (it goes to the audit trail)');
    const out = await withTenantKeys(flags.tenant, async (keys, tenant, db) => {
      const r = await revokeTenantKey(keys, tenant.id, kid, flags.reason!, db.cfg.tokens.leeway);
      await auditTenantKeyEvent(db, tenant.id, 'key.revoke', kid, {
        reason: flags.reason!,
        successor: r.successor?.kid ?? '',
        denied: r.denied,
      });
      return r;
    });
    emit(
      Boolean(flags.json),
      out,
      `key ${kid} revoked; ${out.denied} unexpired token(s) denied` +
        (out.successor ? `; ${out.successor.kid} (${out.successor.alg}) signs now` : ''),
    );
  }

  @Option({ flags: '--reason <text>', description: 'why (1-200 characters, audited)' })
  parseReason(v: string): string {
    if (v.length < 1 || v.length > 200 || /[\r\n]/.test(v)) {
      throw new CliError('--reason must be 1-200 characters on one line');
    }
    return v;
  }
}
