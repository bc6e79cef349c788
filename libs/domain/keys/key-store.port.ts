import type { SigningKeyInfo } from './signing-key';

/** Every key Tessera knows, by kid. Exactly one is active (the primary) at a time. */
export interface KeyStore {
  primary(): SigningKeyInfo;
  get(kid: string): SigningKeyInfo | undefined;
  list(): readonly SigningKeyInfo[];
}
