import { SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { retireKey } from '@tessera/infrastructure/crypto/key-rotation';
import { CliError, emit } from '../output';
import { auditKeyEvent, withKeyStore } from './key-store';

const KID = /^[A-Za-z0-9._:-]{1,200}$/;

@SubCommand({
  name: 'retire',
  arguments: '<kid>',
  description:
    'take a staged or retiring key out of the JWKS now (tokens it signed stop verifying)',
})
export class KeysRetireCommand extends JsonCommand {
  async run([kid]: string[], flags: { json?: boolean }): Promise<void> {
    if (!kid || !KID.test(kid)) throw new CliError('keys retire <kid>: a kid from `keys list`');
    const key = await withKeyStore('retire', async (db, opts) => {
      const k = await retireKey(db.dataSource, opts, kid);
      await auditKeyEvent(db, 'key.retire', k.kid, { alg: k.alg });
      return k;
    });
    emit(Boolean(flags.json), key, `key ${key.kid} retired at ${key.retired_at}`);
  }
}
