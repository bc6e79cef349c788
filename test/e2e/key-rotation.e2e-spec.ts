import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ensureBuilt, repoRoot } from '@tessera/testing/build';
import { cliEnvFor, runCli, seedClientViaCli } from '@tessera/testing/cli-process';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { clientCredentialsToken, jwksKids } from '../support/oauth';
import { untilValue } from '@tessera/testing/poll';

jest.setTimeout(300_000);

/*
 * The database key store end to end, on a compressed clock: a staged key is published for
 * KEY_PUBLISH_DELAY before it signs, the previous key keeps verifying until the last token it
 * signed has expired (ACCESS_TOKEN_TTL + CLOCK_SKEW_LEEWAY, or a longer CLI-minted token), and
 * two nodes over one database agree without talking to each other. The nodes are separate
 * processes, and node 2's clock runs 1.5 s ahead (within the leeway): both schedule by the
 * database's clock, so they switch keys together anyway.
 */
// Long enough for two CLI start-ups on a loaded 2-core machine (a staged key must still be
// staged when `keys retire` reaches it), short enough to wait out twice.
const PUBLISH_DELAY_MS = 20_000;
const TTL_MS = 6000;
const LEEWAY_MS = 2000;
const SKEW_MS = 1500;
const SECRET = randomBytes(32).toString('base64url');

const kidOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn returns a value (not undefined) or the deadline passes. */
const until = <T>(what: string, deadlineMs: number, fn: () => Promise<T | undefined>) =>
  untilValue(what, fn, { timeoutMs: deadlineMs, everyMs: 50 });

describe('database key store › rotation without downtime (KEY_ENCRYPTION_SECRET, no SIGNING_KEYS_DIR)', () => {
  let db: TestDatabase;
  let nodes: ServerProcess[];
  let client: Awaited<ReturnType<typeof seedClientViaCli>>;
  let cliEnv: Record<string, string | undefined>;
  const env = {
    KEY_ENCRYPTION_SECRET: SECRET,
    KEY_PUBLISH_DELAY: `${PUBLISH_DELAY_MS / 1000}s`,
    KEY_RELOAD_INTERVAL: '200ms',
    ACCESS_TOKEN_TTL: `${TTL_MS / 1000}s`,
    CLOCK_SKEW_LEEWAY: `${LEEWAY_MS / 1000}s`,
    ISSUER: 'http://tessera.test',
  };

  const cli = (...args: string[]) => runCli(cliEnv, ...args);
  const token = (node: ServerProcess) =>
    clientCredentialsToken(node.url, client, { scope: 'read' });
  const active = async (node: ServerProcess, jwt: string) =>
    (
      await postForm(
        `${node.url}/oauth/introspect`,
        { token: jwt },
        { authorization: basic(client) },
      )
    ).json.active;
  const published = (node: ServerProcess) => jwksKids(node.url);

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase();
    // Two nodes booting at once over an empty table: one key is created, both sign with it.
    nodes = await Promise.all([
      startServerProcess(db, { env }),
      startServerProcess(db, { env, clockOffsetMs: SKEW_MS }),
    ]);
    cliEnv = cliEnvFor(db, nodes[0]!, env);
    client = await seedClientViaCli(cliEnv);
  });
  afterAll(async () => {
    for (const n of nodes ?? []) await n.kill();
    await db?.drop();
  });

  it('rotate › staged B is published before it signs, A verifies until its last token expired, then leaves the JWKS', async () => {
    const list0 = (await cli('keys', 'list', '--json')).json<{
      keys: { kid: string; status: string }[];
    }>();
    expect(list0.keys).toEqual([expect.objectContaining({ status: 'active' })]);
    const A = list0.keys[0]!.kid;
    for (const n of nodes) expect(await published(n)).toEqual([A]);

    const t1 = await token(nodes[0]!);
    expect(kidOf(t1)).toBe(A);
    expect(kidOf(await token(nodes[1]!))).toBe(A);
    expect(await active(nodes[1]!, t1)).toBe(true);

    // The active key cannot be retired: one line, non-zero, nothing changed.
    const refused = await cli('keys', 'retire', A, '--json');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/active key .*keys rotate/);

    // A CLI-minted token outliving ACCESS_TOKEN_TTL keeps A published until it expires.
    const minted = await cli(
      'token',
      'mint',
      '--tenant',
      client.slug,
      '--sub',
      'ops',
      // Its own client, so the client may introspect it (RFC 7662: foreign tokens are inactive).
      '--client',
      client.clientId,
      // Long enough that it outlives A's TTL rule below however slowly the CLI and the
      // rotation run: the check after the sleep is this test's premise, not a latency.
      '--ttl',
      '60s',
      '--json',
    );
    expect(minted.code).toBe(0);
    const long = minted.json().access_token!;
    expect(kidOf(long)).toBe(A);
    const longExp = Date.parse(minted.json().expires_at!);

    const rotated = await cli('keys', 'rotate', '--alg', 'ES256', '--json');
    expect(rotated.code).toBe(0);
    const B = rotated.json();
    expect(B).toMatchObject({ status: 'staged', alg: 'ES256' });
    expect(B.kid).not.toBe(A);
    const activatesAt = Date.parse(B.activated_at!);
    expect(activatesAt - Date.parse(B.created_at!)).toBe(PUBLISH_DELAY_MS);

    // Published on both nodes before it may sign (the protocol's deadline, not a latency).
    for (const n of nodes) {
      await until('B in the JWKS', Math.max(0, activatesAt - Date.now() - 500), async () =>
        (await published(n)).includes(B.kid!) ? true : undefined,
      );
    }
    // No node signs with B before its time (skewed clock or not); A signs until then.
    let lastA = t1;
    const mintEverywhere = async () => {
      const kids = [];
      for (const n of nodes) {
        const before = Date.now();
        const t = await token(n);
        if (kidOf(t) === A) lastA = t;
        else expect(before).toBeGreaterThanOrEqual(activatesAt - 500);
        kids.push(kidOf(t));
      }
      return kids;
    };
    for (const n of nodes) expect(await published(n)).toEqual([A, B.kid].sort());
    await until('B to sign on both nodes', PUBLISH_DELAY_MS + 30_000, async () =>
      (await mintEverywhere()).every((k) => k === B.kid) ? true : undefined,
    );

    // A is retiring: still published, its tokens still verify on both nodes.
    for (const n of nodes) {
      expect(await published(n)).toEqual([A, B.kid].sort());
      expect(await active(n, lastA)).toBe(true);
    }
    const retiredB = await cli('keys', 'retire', B.kid!, '--json');
    expect(retiredB.code).not.toBe(0);

    // Past A's TTL rule, the longer CLI token still holds A in the JWKS.
    await sleep(Math.max(0, activatesAt + TTL_MS + LEEWAY_MS + 300 - Date.now()));
    expect(longExp).toBeGreaterThan(Date.now() + 1000);
    expect(await published(nodes[0]!)).toContain(A);
    expect(await active(nodes[1]!, long)).toBe(true);

    // Gone once that token has expired (+ leeway), from both nodes, and it no longer verifies.
    for (const n of nodes) {
      await until('A to leave the JWKS', longExp + LEEWAY_MS + 30_000 - Date.now(), async () =>
        (await published(n)).includes(A) ? undefined : true,
      );
    }
    expect(Date.now()).toBeGreaterThanOrEqual(longExp + LEEWAY_MS - 500);
    for (const n of nodes) expect(await published(n)).toEqual([B.kid]);
    expect(await active(nodes[0]!, long)).toBe(false);

    const list = (await cli('keys', 'list', '--json')).json<{
      keys: { kid: string; status: string; retired_at: string | null }[];
    }>();
    expect(list.keys).toEqual([
      expect.objectContaining({ kid: A, status: 'retired', retired_at: expect.any(String) }),
      expect.objectContaining({ kid: B.kid, status: 'active', retired_at: null }),
    ]);
  });

  it('keys retire › a staged key leaves the JWKS at once and never signs; the event is audited globally', async () => {
    const rotated = await cli('keys', 'rotate', '--alg', 'EdDSA', '--json');
    const C = rotated.json();
    expect(C.status).toBe('staged');
    await until('C in the JWKS', 30_000, async () =>
      (await published(nodes[1]!)).includes(C.kid!) ? true : undefined,
    );
    const retired = await cli('keys', 'retire', C.kid!, '--json');
    expect(retired.code).toBe(0);
    expect(retired.json()).toMatchObject({ kid: C.kid, status: 'retired' });
    for (const n of nodes) {
      await until('C to leave the JWKS', 30_000, async () =>
        (await published(n)).includes(C.kid!) ? undefined : true,
      );
    }
    await sleep(Math.max(0, Date.parse(C.activated_at!) + 500 - Date.now()));
    for (const n of nodes) expect(kidOf(await token(n))).not.toBe(C.kid);

    // Idempotent: retiring it again changes nothing (a retried CLI call succeeds).
    const again = await cli('keys', 'retire', C.kid!, '--json');
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ kid: C.kid, retired_at: retired.json().retired_at });
    const unknown = await cli('keys', 'retire', 'no-such-kid', '--json');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no signing key no-such-kid/);
    // One kid in 64 begins with "-": the CLI takes it as the kid, not as an unknown option.
    const dashed = await cli(
      'keys',
      'retire',
      '-mje94ZDwBbcsA-nwFQxPeeUHJ5PPAfxiTU1IYLVoCc',
      '--json',
    );
    expect(dashed.code).toBe(2);
    expect(dashed.stderr).toMatch(/no signing key -mje94ZDwBbcsA-nwFQxPeeUHJ5PPAfxiTU1IYLVoCc/);

    const pg = new Client({ connectionString: db.ownerUrl });
    await pg.connect();
    try {
      await pg.query(`SELECT set_config('app.cross_tenant', 'on', false)`);
      const { rows } = await pg.query<{ action: string; target: string }>(
        `SELECT action, target FROM tessera.audit_events WHERE tenant_id IS NULL ORDER BY at`,
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          { action: 'key.rotate', target: C.kid },
          { action: 'key.retire', target: C.kid },
        ]),
      );
      // Private keys are stored sealed: no PEM, no JWK private member in the row.
      const keys = await pg.query<{ enc: Buffer; jwk: object }>(
        `SELECT private_key_enc AS enc, public_jwk AS jwk FROM tessera.signing_keys`,
      );
      for (const k of keys.rows) {
        expect(k.enc.includes('PRIVATE KEY')).toBe(false);
        expect(Object.keys(k.jwk)).not.toContain('d');
      }
    } finally {
      await pg.end();
    }
  });
});

describe('database key store › production start', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());
  const base = () => ({
    PATH: process.env.PATH!,
    NODE_ENV: 'production',
    ISSUER: 'https://auth.example',
    DATABASE_URL: db.appUrl,
    KEY_ENCRYPTION_SECRET: SECRET,
    LOG_LEVEL: 'silent',
  });
  const run = (script: string, args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [script, ...args], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('an empty table refuses to start with one line; `keys rotate` makes the first key active at once; another secret refuses with one line', () => {
    const empty = run('dist/apps/auth/src/main.js', [], base());
    expect(empty.status).not.toBe(0);
    expect(empty.stderr.trim().split('\n')).toHaveLength(1);
    expect(empty.stderr).toMatch(/no active signing key in the database.*keys rotate/);

    const first = run(
      'dist/apps/cli/src/main.js',
      ['keys', 'rotate', '--alg', 'ES256', '--json'],
      base(),
    );
    expect(first.status).toBe(0);
    const key = JSON.parse(first.stdout) as Record<string, string>;
    expect(key).toMatchObject({ alg: 'ES256', status: 'active' });
    expect(key.activated_at).toBe(key.created_at);
    expect(first.stdout).not.toMatch(/PRIVATE|"d":/);

    const wrong = run('dist/apps/auth/src/main.js', [], {
      ...base(),
      KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
    });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toContain(`signing key ${key.kid} cannot be decrypted`);
  });
});

describe('database key store › keys retire on a retiring key', () => {
  let db: TestDatabase;
  let node: ServerProcess;
  let client: Awaited<ReturnType<typeof seedClientViaCli>>;
  let cliEnv: Record<string, string | undefined>;
  // A long TTL keeps the old key retiring for the whole test: only `keys retire` ends it.
  const env = {
    KEY_ENCRYPTION_SECRET: SECRET,
    KEY_PUBLISH_DELAY: '2s',
    KEY_RELOAD_INTERVAL: '200ms',
    ACCESS_TOKEN_TTL: '1h',
    ISSUER: 'http://tessera.test',
  };
  const cli = (...args: string[]) => runCli(cliEnv, ...args);
  const token = () => clientCredentialsToken(node.url, client, { scope: 'read' });
  const active = async (jwt: string) =>
    (
      await postForm(
        `${node.url}/oauth/introspect`,
        { token: jwt },
        { authorization: basic(client) },
      )
    ).json.active;
  const published = () => jwksKids(node.url);
  const status = async (kid: string) =>
    (await cli('keys', 'list', '--json'))
      .json<{ keys: { kid: string; status: string }[] }>()
      .keys.find((k) => k.kid === kid)?.status;

  beforeAll(async () => {
    db = await createTestDatabase();
    node = await startServerProcess(db, { env });
    cliEnv = cliEnvFor(db, node, env);
    client = await seedClientViaCli(cliEnv);
  });
  afterAll(async () => {
    await node?.kill();
    await db?.drop();
  });

  it('the retiring key leaves the JWKS at once, its tokens stop verifying, the active key keeps signing', async () => {
    const tA = await token();
    const A = kidOf(tA);
    const B = (await cli('keys', 'rotate', '--json')).json().kid!;
    await until('B to sign', 120_000, async () => (kidOf(await token()) === B ? true : undefined));
    expect(await status(A)).toBe('retiring');
    expect(await published()).toEqual([A, B].sort());
    expect(await active(tA)).toBe(true);

    const retired = await cli('keys', 'retire', A, '--json');
    expect({ code: retired.code, stderr: retired.stderr }).toEqual({ code: 0, stderr: '' });
    expect(retired.json()).toMatchObject({ kid: A, status: 'retired' });
    await until('A to leave the JWKS', 60_000, async () =>
      (await published()).includes(A) ? undefined : true,
    );
    expect(await published()).toEqual([B]);
    expect(await active(tA)).toBe(false);
    expect(await status(A)).toBe('retired');
    const tB = await token();
    expect(kidOf(tB)).toBe(B);
    expect(await active(tB)).toBe(true);
  });
});
