import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface TestAccount {
  email?: string;
  name?: string;
  groups?: string[];
}

export interface OidcTestProvider {
  issuer: string;
  /** Makes later ID tokens (or UserInfo's `sub`) wrong in one way; null restores honest ones. */
  tamper(kind: 'nonce' | 'iss' | 'aud' | 'signature' | 'userinfo-sub' | null): Promise<void>;
  /** A JWT with these claims, signed by the provider's key, a stranger's key, or unsigned. */
  sign(
    claims: Record<string, unknown>,
    opts?: { key?: 'provider' | 'stranger' | 'none'; header?: Record<string, unknown> },
  ): Promise<string>;
  /**
   * Signs later ID tokens with a new key (its kid returned), published first in the JWKS; the
   * old key stays published unless `keepOld` is false. `publishOnly`: the new key is only
   * published, the current one keeps signing; the next rotation signs with the published key.
   */
  rotateKey(opts?: { keepOld?: boolean; publishOnly?: boolean }): Promise<string>;
  /** How many times the token endpoint was called so far. */
  tokenRequests(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts libs/testing/oidc-provider.mjs (oidc-provider, standing in for an Authentik
 * application) on a loopback port as a child process.
 */
export async function startOidcProvider(opts: {
  port?: number;
  app?: string;
  client: Record<string, unknown>;
  accounts: Record<string, TestAccount>;
  /** Where scope claims are: in the ID token (default, like Authentik) or only at UserInfo. */
  claimsAt?: 'id_token' | 'userinfo';
  /** Back-Channel Logout 1.0 on (set `backchannel_logout_uri` in `client`). */
  backchannelLogout?: boolean;
}): Promise<OidcTestProvider> {
  const script = path.join(__dirname, 'oidc-provider.mjs');
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      OIDC_TEST_PORT: String(opts.port ?? 0),
      OIDC_TEST_APP: opts.app ?? 'tessera',
      OIDC_TEST_CLIENT: JSON.stringify(opts.client),
      OIDC_TEST_ACCOUNTS: JSON.stringify(opts.accounts),
      ...(opts.claimsAt === 'userinfo' ? { OIDC_TEST_CLAIMS: 'userinfo' } : {}),
      ...(opts.backchannelLogout ? { OIDC_TEST_BACKCHANNEL_LOGOUT: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`oidc provider did not start: ${stderr}`)),
      15_000,
    );
    child.once('exit', (code) => reject(new Error(`oidc provider exited ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
  });
  const origin = new URL(issuer).origin;
  return {
    issuer,
    async tamper(kind) {
      const res = await fetch(`${origin}/__test__/tamper`, {
        method: 'POST',
        body: JSON.stringify({ kind }),
      });
      if (res.status !== 204) throw new Error(`tamper failed: ${res.status}`);
    },
    async sign(claims, o = {}) {
      const res = await fetch(`${origin}/__test__/sign`, {
        method: 'POST',
        body: JSON.stringify({ claims, header: o.header, key: o.key ?? 'provider' }),
      });
      if (res.status !== 200) throw new Error(`sign failed: ${res.status}`);
      return ((await res.json()) as { token: string }).token;
    },
    async rotateKey(o = {}) {
      const res = await fetch(`${origin}/__test__/rotate-key`, {
        method: 'POST',
        body: JSON.stringify({ keepOld: o.keepOld ?? true, publishOnly: o.publishOnly ?? false }),
      });
      if (res.status !== 200) throw new Error(`rotate-key failed: ${res.status}`);
      return ((await res.json()) as { kid: string }).kid;
    },
    async tokenRequests() {
      const res = await fetch(`${origin}/__test__/stats`);
      return ((await res.json()) as { tokenRequests: number }).tokenRequests;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
