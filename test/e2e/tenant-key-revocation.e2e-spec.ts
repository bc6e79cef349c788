import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { ResourceServer } from '@tessera/resource-server';
import { cliEnvFor, cliJson, runCli, seedClientViaCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { freePort } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { until } from '@tessera/testing/poll';

jest.setTimeout(300_000);

/*
 * Emergency revocation of a tenant key (`keys revoke --tenant`), against a Tessera process, the
 * CLI as its own process, and @tessera/resource-server pinned to the trust anchor and following
 * the real revocation feed: the key leaves the tenant's JWKS, a successor signs at once, every
 * token the key signed is refused by Tessera and by the library, and the other tenant is
 * untouched.
 */
const API = 'https://api.revocation.example';
type Creds = { clientId: string; secret: string };

describe('tenant keys › emergency revocation', () => {
  let db: TestDatabase;
  let tessera: ServerProcess;
  let cliEnv: Record<string, string | undefined>;
  let issuer: string;
  let A: Creds;
  let B: Creds;
  let rs: ResourceServer;

  const cli = (...args: string[]) => cliJson(cliEnv, ...args);
  const token = async (c: Creds) => {
    const r = await postForm(
      `${tessera.url}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'read' },
      { authorization: basic(c) },
    );
    expect(r.status).toBe(200);
    return r.json.access_token as string;
  };
  const me = async (t: string) =>
    (await fetch(`${tessera.url}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } })).status;
  const active = async (c: Creds, t: string) =>
    (await postForm(`${tessera.url}/oauth/introspect`, { token: t }, { authorization: basic(c) }))
      .json.active;
  const kids = async (slug: string) =>
    (
      (await (await fetch(`${tessera.url}/t/${slug}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      }
    ).keys.map((k) => k.kid);
  const eventually = (what: string, check: () => Promise<boolean>, ms = 60_000) =>
    until(what, check, { timeoutMs: ms, everyMs: 100 });
  const rsAccepts = async (t: string) => (await rs.authenticate(`Bearer ${t}`)).ok;
  const tenantClient = (slug: string): Promise<Creds> =>
    seedClientViaCli(cliEnv, { slug, grants: ['client_credentials'], scopes: ['read'] });

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const env = {
      ISSUER: issuer,
      ISSUER_MODE: 'tenant',
      KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
      // No change poll within the test: the node learns of the revocation by LISTEN/NOTIFY.
      KEY_RELOAD_INTERVAL: '1h',
      ACCESS_TOKEN_AUDIENCE: API,
      TENANT_KEY_ALG: 'EdDSA',
    };
    tessera = await startServerProcess(db, { env, port });
    cliEnv = cliEnvFor(db, tessera, env);
    A = await tenantClient('rev-a');
    B = await tenantClient('rev-b');
    const resource = await cli('resource', 'create', '--tenant', 'rev-a', '--identifier', API);
    const anchor = (await cli('keys', 'anchor')).trust_anchor as unknown as JWK;
    rs = await ResourceServer.create({
      issuer,
      identifier: API,
      trustAnchor: anchor,
      clientId: resource.client_id as string,
      clientSecret: resource.client_secret as string,
      jwksCooldownSeconds: 1,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  });
  afterAll(async () => {
    await rs?.close();
    await tessera?.kill();
    await db?.drop();
  });

  it('created with the tenant › `keys list --tenant` shows its one active key, of the tenant algorithm', async () => {
    const list = (await cli('keys', 'list', '--tenant', 'rev-a')) as {
      keys: { kid: string; alg: string; status: string }[];
    };
    expect(list.keys).toEqual([expect.objectContaining({ alg: 'EdDSA', status: 'active' })]);
  });

  it('keys revoke › out of the JWKS, successor signs at once, its tokens refused by Tessera and the library; other tenant untouched', async () => {
    const [ta, ta2, tb] = [await token(A), await token(A), await token(B)];
    const revoked = decodeProtectedHeader(ta).kid!;
    await eventually(
      'the library to accept both tenants',
      async () => (await rsAccepts(ta)) && (await rsAccepts(tb)),
    );
    expect(await kids('rev-a')).toEqual([revoked]);
    const bKids = await kids('rev-b');

    const out = (await cli(
      ...['keys', 'revoke', '--tenant', 'rev-a', revoked, '--reason', 'key leaked in a log'],
    )) as {
      revoked: { status: string };
      successor: { kid: string; status: string };
      denied: number;
    };
    expect(out.revoked.status).toBe('retired');
    expect(out.successor.status).toBe('active');
    expect(out.denied).toBeGreaterThanOrEqual(2);
    const successor = out.successor.kid;

    await eventually('the JWKS to drop the key', async () => {
      const k = await kids('rev-a');
      return !k.includes(revoked) && k.includes(successor);
    });
    for (const t of [ta, ta2]) {
      expect(await me(t)).toBe(401);
      expect(await active(A, t)).toBe(false);
      await eventually(
        'the library to refuse the revoked key’s token',
        async () => !(await rsAccepts(t)),
      );
    }
    // The successor signs now, and both verifiers accept its tokens.
    const fresh = await token(A);
    expect(decodeProtectedHeader(fresh).kid).toBe(successor);
    expect(decodeJwt(fresh).iss).toBe(`${issuer}/t/rev-a`);
    expect(await me(fresh)).toBe(200);
    await eventually('the library to accept the successor', () => rsAccepts(fresh));
    // The other tenant: same keys, its token still good everywhere.
    expect(await kids('rev-b')).toEqual(bKids);
    expect(await me(tb)).toBe(200);
    expect(await rsAccepts(tb)).toBe(true);
    expect(await active(B, await token(B))).toBe(true);

    // Audited in the tenant's trail; a second revoke of the same key is a clear error.
    const pg = new Client({ connectionString: db.appUrl });
    await pg.connect();
    try {
      await pg.query('BEGIN');
      await pg.query(`SELECT set_config('app.cross_tenant', 'on', true)`);
      const { rows } = await pg.query(
        `SELECT action, target, details FROM tessera.audit_events WHERE action = 'key.revoke'`,
      );
      await pg.query('COMMIT');
      expect(rows).toEqual([
        expect.objectContaining({
          target: revoked,
          details: expect.objectContaining({ reason: 'key leaked in a log', successor }),
        }),
      ]);
    } finally {
      await pg.end();
    }
    const again = await runCli(
      cliEnv,
      'keys',
      'revoke',
      '--tenant',
      'rev-a',
      revoked,
      '--reason',
      'x',
    );
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already retired/);
    const noReason = await runCli(cliEnv, 'keys', 'revoke', '--tenant', 'rev-a', successor);
    expect(noReason.code).not.toBe(0);
    expect(noReason.stderr).toMatch(/--reason/);

    // By hand: rotate stages a successor; retire takes a staged key out, never the signer.
    const staged = (await cli('keys', 'rotate', '--tenant', 'rev-a')) as {
      kid: string;
      status: string;
    };
    expect(staged.status).toBe('staged');
    const refused = await runCli(cliEnv, 'keys', 'retire', '--tenant', 'rev-a', successor);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/active key/);
    expect(await cli('keys', 'retire', '--tenant', 'rev-a', staged.kid)).toMatchObject({
      kid: staged.kid,
      status: 'retired',
    });
    const unknown = await runCli(cliEnv, 'keys', 'list', '--tenant', 'nobody');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown tenant/);
  });
});
