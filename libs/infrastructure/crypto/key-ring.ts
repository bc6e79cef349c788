import { KeyConfigError } from '@tessera/domain/keys/keys.errors';
import type { KeyStore } from '@tessera/domain/keys/key-store.port';
import type { KeyStatus, SigningKeyInfo } from '@tessera/domain/keys/signing-key';
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
  /** Defaults to active for the primary, retiring for the others (file keys). */
  status?: Exclude<KeyStatus, 'retired'>;
  activatedAt?: Date;
}

interface RingState {
  byKid: ReadonlyMap<string, RingEntry>;
  primary: RingEntry;
  infos: readonly SigningKeyInfo[];
}

/**
 * The keys this process signs and verifies with. Exactly one primary signs; the others are
 * published and verify (overlap rotation). Invalid sets refuse to build. The database key store
 * swaps the whole set with replace(): one assignment, so a reader never sees half a ring.
 */
export class KeyRing implements KeyStore, TokenSigner {
  private state: RingState;

  constructor(entries: readonly RingEntry[]) {
    this.state = KeyRing.build(entries);
  }

  /** Validates first: an invalid set throws and the current one stays. */
  replace(entries: readonly RingEntry[]): void {
    this.state = KeyRing.build(entries);
  }

  private static build(entries: readonly RingEntry[]): RingState {
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
    const infos = entries.map((e): SigningKeyInfo => ({
      kid: e.material.kid,
      alg: e.material.alg,
      status: e.primary ? 'active' : (e.status ?? 'retiring'),
      publicJwk: e.material.jwk,
      createdAt: e.createdAt ?? new Date(0),
      ...(e.activatedAt ? { activatedAt: e.activatedAt } : {}),
    }));
    return { byKid, primary, infos };
  }

  get kid(): string {
    return this.state.primary.material.kid;
  }

  get alg(): SigningAlg {
    return this.state.primary.material.alg;
  }

  sign(payload: object, typ: string): Promise<SignedJwt> {
    return signWith(this.signingMaterial(), payload, typ);
  }

  /** The primary's material as of now: a subclass that awaits before signing keeps this one. */
  protected signingMaterial(): KeyMaterial {
    return this.state.primary.material;
  }

  publicJwk(): PublicJwk {
    return this.state.primary.material.jwk;
  }

  primary(): SigningKeyInfo {
    const kid = this.kid;
    return this.state.infos.find((i) => i.kid === kid)!;
  }

  get(kid: string): SigningKeyInfo | undefined {
    return this.state.infos.find((i) => i.kid === kid);
  }

  list(): readonly SigningKeyInfo[] {
    return this.state.infos;
  }

  /** Verification material for a kid from our own ring; undefined for anything else. */
  verificationKey(kid: string): KeyMaterial | undefined {
    return this.state.byKid.get(kid)?.material;
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: this.state.infos.map((i) => i.publicJwk) };
  }
}

export function signWith(material: KeyMaterial, payload: object, typ: string): Promise<SignedJwt> {
  const { kid, alg, privateKey } = material;
  return signCompact({ alg, kid, typ }, payload, privateKey!).then((token) => ({
    token,
    kid,
    alg,
  }));
}
