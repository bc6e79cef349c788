import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import type { KeyStore } from '@tessera/domain/keys/key-store.port';
import type { SigningKeyInfo } from '@tessera/domain/keys/signing-key';
import type {
  PublicJwk,
  SignedJwt,
  SigningAlg,
  TokenSigner,
} from '@tessera/domain/token/token-signer.port';
import type { KeyMaterial } from './key-material';
import { signCompact } from './jws';

export interface RingEntry {
  material: KeyMaterial;
  primary: boolean;
  createdAt?: Date;
}

/**
 * The keys this process signs and verifies with. Exactly one primary signs; the others are
 * published and verify (overlap rotation). Built once at boot; invalid sets refuse to build.
 */
export class KeyRing implements KeyStore, TokenSigner {
  private readonly byKid: ReadonlyMap<string, RingEntry>;
  private readonly primaryEntry: RingEntry;
  private readonly infos: readonly SigningKeyInfo[];

  constructor(entries: readonly RingEntry[]) {
    if (entries.length === 0) throw new KeyConfigError('no signing key loaded');
    const byKid = new Map<string, RingEntry>();
    for (const e of entries) {
      if (byKid.has(e.material.kid)) {
        throw new KeyConfigError(`duplicate signing key kid "${e.material.kid}"`);
      }
      byKid.set(e.material.kid, e);
    }
    const primaries = entries.filter((e) => e.primary);
    if (primaries.length === 0)
      throw new KeyConfigError('no primary signing key: mark exactly one key primary');
    if (primaries.length > 1) {
      throw new KeyConfigError(
        `${primaries.length} primary signing keys (${primaries.map((p) => p.material.kid).join(', ')}): exactly one may sign`,
      );
    }
    const primary = primaries[0]!;
    if (!primary.material.privateKey)
      throw new KeyConfigError('the primary signing key has no private part');
    this.byKid = byKid;
    this.primaryEntry = primary;
    this.infos = entries.map((e) => ({
      kid: e.material.kid,
      alg: e.material.alg,
      status: e.primary ? 'active' : 'retiring',
      publicJwk: e.material.jwk,
      createdAt: e.createdAt ?? new Date(0),
    }));
  }

  get kid(): string {
    return this.primaryEntry.material.kid;
  }

  get alg(): SigningAlg {
    return this.primaryEntry.material.alg;
  }

  sign(payload: object, typ: string): Promise<SignedJwt> {
    const { kid, alg, privateKey } = this.primaryEntry.material;
    return signCompact({ alg, kid, typ }, payload, privateKey!).then((token) => ({
      token,
      kid,
      alg,
    }));
  }

  publicJwk(): PublicJwk {
    return this.primaryEntry.material.jwk;
  }

  primary(): SigningKeyInfo {
    return this.infos.find((i) => i.kid === this.kid)!;
  }

  get(kid: string): SigningKeyInfo | undefined {
    return this.infos.find((i) => i.kid === kid);
  }

  list(): readonly SigningKeyInfo[] {
    return this.infos;
  }

  /** Verification material for a kid from our own ring; undefined for anything else. */
  verificationKey(kid: string): KeyMaterial | undefined {
    return this.byKid.get(kid)?.material;
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: this.infos.map((i) => i.publicJwk) };
  }
}
