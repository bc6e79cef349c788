import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import type { SigningAlg } from '@tessera/domain/token/token-signer.port';
import { generateSigningKey } from './key-generator';
import { loadPrivatePem } from './key-material';
import { KeyRing, type RingEntry } from './key-ring';

export const MANIFEST = 'keys.json';

interface ManifestEntry {
  file: string;
  kid?: string;
  primary?: boolean;
}

export interface KeySource {
  dir?: string;
  primary?: string;
  production: boolean;
  dataDir: string;
  devAlg: SigningAlg;
}

export interface LoadedKeys {
  ring: KeyRing;
  /** Set when a development key was created on this boot (callers log a loud warning). */
  generatedDevKey?: string;
}

const isPrivatePem = (f: string) => f.endsWith('.pem') && !f.endsWith('.pub.pem');

async function readManifest(dir: string): Promise<ManifestEntry[] | undefined> {
  const file = path.join(dir, MANIFEST);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new KeyConfigError(`${file} is not valid JSON`);
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k?.file !== 'string')) {
    throw new KeyConfigError(
      `${file} must be {"keys":[{"file":"x.pem","kid"?:"…","primary"?:true}]}`,
    );
  }
  return keys as ManifestEntry[];
}

async function loadEntry(dir: string, e: ManifestEntry): Promise<RingEntry> {
  const file = path.resolve(dir, e.file);
  if (path.dirname(file) !== path.resolve(dir))
    throw new KeyConfigError(`key file ${e.file} is outside ${dir}`);
  const [pem, info] = await Promise.all([readFile(file), stat(file)]).catch(() => {
    throw new KeyConfigError(`cannot read signing key ${file}`);
  });
  const material = await loadPrivatePem(pem, e.kid, file);
  return { material, primary: Boolean(e.primary), createdAt: info.mtime };
}

/**
 * Keys come from SIGNING_KEYS_DIR: a keys.json manifest when present, else every private
 * *.pem with SIGNING_KEY_PRIMARY naming the signer (implied when there is one key).
 */
export async function loadKeysFromDir(dir: string, primaryKid?: string): Promise<KeyRing> {
  if (!existsSync(dir)) throw new KeyConfigError(`SIGNING_KEYS_DIR ${dir} does not exist`);
  const manifest = await readManifest(dir);
  if (manifest) return new KeyRing(await Promise.all(manifest.map((e) => loadEntry(dir, e))));
  const files = (await readdir(dir)).filter(isPrivatePem).sort();
  if (files.length === 0) throw new KeyConfigError(`no private *.pem key in ${dir}`);
  const entries = await Promise.all(files.map((file) => loadEntry(dir, { file })));
  if (primaryKid) {
    const match = entries.filter((e) => e.material.kid === primaryKid);
    if (match.length === 0)
      throw new KeyConfigError(`SIGNING_KEY_PRIMARY ${primaryKid} is not a loaded kid`);
    match.forEach((e) => (e.primary = true));
  } else if (entries.length === 1) {
    entries[0]!.primary = true;
  }
  return new KeyRing(entries);
}

/**
 * Development only: one key, made once under DATA_DIR/keys and reused on every restart, so a
 * restart never invalidates tokens already handed out.
 */
async function loadOrCreateDevKey(dataDir: string, alg: SigningAlg): Promise<LoadedKeys> {
  const dir = path.join(dataDir, 'keys');
  if (existsSync(dir) && (await readdir(dir)).some(isPrivatePem)) {
    return { ring: await loadKeysFromDir(dir) };
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = await generateSigningKey(alg);
  const file = path.join(dir, `${key.material.kid}.pem`);
  await writeFile(file, key.privatePem, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  await writeFile(path.join(dir, `${key.material.kid}.pub.pem`), key.publicPem, { mode: 0o644 });
  return {
    ring: new KeyRing([{ material: key.material, primary: true, createdAt: new Date() }]),
    generatedDevKey: file,
  };
}

export async function loadKeyRing(src: KeySource): Promise<LoadedKeys> {
  if (src.dir) return { ring: await loadKeysFromDir(src.dir, src.primary) };
  if (src.production) {
    throw new KeyConfigError(
      'no signing key configured: run `npm run -s cli -- keys generate --out /etc/tessera/keys` and set SIGNING_KEYS_DIR=/etc/tessera/keys',
    );
  }
  return loadOrCreateDevKey(src.dataDir, src.devAlg);
}
