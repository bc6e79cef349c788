import { Option, SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { retireKey } from '@tessera/infrastructure/crypto/key-rotation';
import { CliError, emit } from '../output';
import { auditKeyEvent, withKeyStore } from './key-store';
import { retireTenantKey } from '@tessera/infrastructure/crypto/tenant-key-admin';
import { auditTenantKeyEvent, withTenantKeys } from './tenant-key-store';

const KID = /^[A-Za-z0-9._:-]{1,200}$/;

@SubCommand({
  name: 'retire',
  arguments: '<kid>',
  description:
    'take a staged or retiring key out of the JWKS now (tokens it signed stop verifying)',
})
export class KeysRetireCommand extends JsonCommand {
  async run([kid]: string[], flags: { json?: boolean; tenant?: string }): Promise<void> {
    if (!kid || !KID.test(kid)) throw new CliError('keys retire <kid>: a kid from `keys list`');
    if (flags.tenant) {
      const k = await withTenantKeys(flags.tenant, async (keys, t, db) => {
        const view = await retireTenantKey(keys, t.id, kid);
        await auditTenantKeyEvent(db, t.id, 'key.retire', kid, { alg: view.alg });
        return view;
      });
      emit(Boolean(flags.json), k, `key ${k.kid} retired at ${k.retired_at}`);
      return;
    }
    const key = await withKeyStore('retire', async (db, opts) => {
      const k = await retireKey(db.dataSource, opts, kid);
      await auditKeyEvent(db, 'key.retire', k.kid, { alg: k.alg });
      return k;
    });
    emit(Boolean(flags.json), key, `key ${key.kid} retired at ${key.retired_at}`);
  }

  @Option({ flags: '--tenant <slug>', description: "one of a tenant's own keys" })
  parseTenant(v: string): string {
    return v;
  }
}
