import { Option, SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { rotateKey } from '@tessera/infrastructure/crypto/key-rotation';
import { CliError, emit } from '../output';
import { parseRsaBits, parseSigningAlg } from './key-options';
import { auditKeyEvent, withKeyStore } from './key-store';

interface Flags {
  alg?: SigningAlg;
  bits?: number;
  json?: boolean;
}

@SubCommand({
  name: 'rotate',
  description:
    'add a new signing key to the database: published now, signing after KEY_PUBLISH_DELAY',
})
export class KeysRotateCommand extends JsonCommand {
  async run(_args: string[], flags: Flags): Promise<void> {
    const alg = flags.alg ?? 'RS256';
    if (flags.bits !== undefined && alg !== 'RS256')
      throw new CliError('--bits applies to RS256 keys only');
    const key = await withKeyStore('rotate', async (db, opts) => {
      const k = await rotateKey(db.dataSource, opts, alg, flags.bits);
      await auditKeyEvent(db, 'key.rotate', k.kid, { alg, status: k.status });
      return k;
    });
    emit(
      Boolean(flags.json),
      key,
      key.status === 'active'
        ? `key ${key.kid} (${key.alg}) is active now: there was no active key`
        : `key ${key.kid} (${key.alg}) staged: published now, signing from ${key.activated_at}`,
    );
  }

  @Option({ flags: '--alg <alg>', description: 'RS256 (default), ES256 or EdDSA' })
  parseAlg(v: string): SigningAlg {
    return parseSigningAlg(v);
  }

  @Option({ flags: '--bits <n>', description: 'RSA modulus size (default 4096, at least 2048)' })
  parseBits(v: string): number {
    return parseRsaBits(v);
  }
}
