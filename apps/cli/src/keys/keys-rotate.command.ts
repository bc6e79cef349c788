import { Option, SubCommand } from 'nest-commander';
import { JsonCommand, type TenantFlags } from '../options';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { rotateKey } from '@tessera/infrastructure/crypto/key-rotation';
import { CliError, emit } from '../output';
import { parseRsaBits, parseSigningAlg } from './key-options';
import { auditKeyEvent, withKeyStore } from './key-store';
import { rotateTenantKey } from '@tessera/infrastructure/crypto/tenant-key-admin';
import type { KeyView } from '@tessera/infrastructure/crypto/key-rotation';
import { auditTenantKeyEvent, withTenantKeys } from './tenant-key-store';

const rotated = (key: KeyView) =>
  key.status === 'active'
    ? `key ${key.kid} (${key.alg}) is active now: there was no active key`
    : `key ${key.kid} (${key.alg}) staged: published now, signing from ${key.activated_at}`;

interface Flags extends TenantFlags {
  alg?: SigningAlg;
  bits?: number;
}

@SubCommand({
  name: 'rotate',
  description:
    'add a new signing key to the database: published now, signing after KEY_PUBLISH_DELAY',
})
export class KeysRotateCommand extends JsonCommand {
  async run(_args: string[], flags: Flags): Promise<void> {
    if (flags.bits !== undefined && (flags.alg ?? 'RS256') !== 'RS256')
      throw new CliError('--bits applies to RS256 keys only');
    if (flags.tenant) {
      const k = await withTenantKeys(flags.tenant, async (keys, t, db) => {
        const view = await rotateTenantKey(keys, t.id, flags.alg, flags.bits);
        await auditTenantKeyEvent(db, t.id, 'key.rotate', view.kid, {
          alg: view.alg,
          status: view.status,
        });
        return view;
      });
      emit(Boolean(flags.json), k, rotated(k));
      return;
    }
    const alg = flags.alg ?? 'RS256';
    const key = await withKeyStore('rotate', async (db, opts) => {
      const k = await rotateKey(db.dataSource, opts, alg, flags.bits);
      await auditKeyEvent(db, 'key.rotate', k.kid, { alg, status: k.status });
      return k;
    });
    emit(Boolean(flags.json), key, rotated(key));
  }

  @Option({ flags: '--tenant <slug>', description: "rotate a tenant's own key set" })
  parseTenant(v: string): string {
    return v;
  }

  @Option({
    flags: '--alg <alg>',
    description: "RS256 (default; a tenant: its current key's), ES256 or EdDSA",
  })
  parseAlg(v: string): SigningAlg {
    return parseSigningAlg(v);
  }

  @Option({ flags: '--bits <n>', description: 'RSA modulus size (default 4096, at least 2048)' })
  parseBits(v: string): number {
    return parseRsaBits(v);
  }
}
