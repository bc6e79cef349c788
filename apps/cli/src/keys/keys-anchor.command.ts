import { SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import { TrustAnchor } from '@tessera/infrastructure/crypto/trust-anchor';
import { withCliDatabase } from '../wiring/cli-database';
import { CliError, emit } from '../output';

@SubCommand({
  name: 'anchor',
  description:
    "print the platform trust anchor's public JWK (what resource servers pin as trustAnchor)",
})
export class KeysAnchorCommand extends JsonCommand {
  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const jwk = await withCliDatabase(async (db) => {
      if (!db.cfg.keys.encryptionSecret) {
        throw new CliError('the trust anchor is sealed in the database: set KEY_ENCRYPTION_SECRET');
      }
      return (await TrustAnchor.open(db.dataSource, db.cfg.keys.encryptionSecret, db.cfg.issuer))
        .jwk;
    });
    emit(Boolean(flags.json), { trust_anchor: jwk }, JSON.stringify(jwk));
  }
}
