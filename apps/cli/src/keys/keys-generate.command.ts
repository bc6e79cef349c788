import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, SubCommand } from 'nest-commander';
import { JsonCommand } from '../options';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { DEFAULT_RSA_BITS, generateSigningKey } from '@tessera/infrastructure/crypto/key-generator';
import { emit } from '../output';
import { parseRsaBits, parseSigningAlg } from './key-options';

interface Flags {
  alg: SigningAlg;
  bits: number;
  out: string;
  json?: boolean;
}

@SubCommand({
  name: 'generate',
  description: 'generate a signing key pair (PKCS#8 private, SPKI public)',
})
export class KeysGenerateCommand extends JsonCommand {
  async run(_args: string[], flags: Flags): Promise<void> {
    const alg = flags.alg ?? 'RS256';
    const out = path.resolve(flags.out ?? 'keys');
    const key = await generateSigningKey(alg, flags.bits ?? DEFAULT_RSA_BITS);
    await mkdir(out, { recursive: true, mode: 0o700 });
    const privateFile = path.join(out, `${key.material.kid}.pem`);
    const publicFile = path.join(out, `${key.material.kid}.pub.pem`);
    await writeFile(privateFile, key.privatePem, { mode: 0o600, flag: 'wx' });
    await chmod(privateFile, 0o600);
    await writeFile(publicFile, key.publicPem, { mode: 0o644, flag: 'wx' });
    emit(
      Boolean(flags.json),
      {
        kid: key.material.kid,
        alg,
        private_key: privateFile,
        public_key: publicFile,
        public_jwk: key.material.jwk,
      },
      `generated ${alg} key ${key.material.kid}\n  private: ${privateFile} (0600)\n  public:  ${publicFile}`,
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

  @Option({ flags: '--out <dir>', description: 'directory for the key files (default ./keys)' })
  parseOut(v: string): string {
    return v;
  }
}
