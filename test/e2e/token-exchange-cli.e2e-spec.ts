import { ensureBuilt } from '@tessera/testing/build';
import { spawnCli } from '@tessera/testing/cli-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { startWorkloadIssuer, type WorkloadIssuer } from '@tessera/testing/workload-issuer';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

interface Issuer {
  id: string;
  issuer: string;
  jwks_uri: string;
  audience: string;
  subject_prefix: string | null;
  allowed_scopes: string[];
  role: string | null;
  status: string;
}

/** The operator's CLI manages trusted issuers; a running server honours them at once. */
describe('CLI › issuer add, list, remove', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let wl: WorkloadIssuer;
  let env: Record<string, string | undefined>;
  const cli = (args: string[], extraEnv: Record<string, string | undefined> = {}) =>
    spawnCli({ ...env, ...extraEnv }, args);
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await cli(args);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    return JSON.parse(r.stdout) as T;
  };
  const oneLineError = (r: { code: number | null; stdout: string; stderr: string }) => {
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  };

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase();
    app = await startTestApp(db, { ISSUER: 'http://tessera.test' });
    wl = await startWorkloadIssuer({ audience: 'tessera' });
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: db.ownerUrl,
      DATA_DIR: app.cfg.dataDir,
      ISSUER: 'http://tessera.test',
      LOG_LEVEL: 'silent',
    };
    await json(['tenant', 'create', 'acme', '--json']);
    await json(['tenant', 'create', 'globex', '--json']);
  });
  afterAll(async () => {
    await app?.close();
    await wl?.close();
    await db?.drop();
  });

  it('add → the running server exchanges its tokens; list shows it (per tenant); remove → refused', async () => {
    const added = await json<Issuer>([
      'issuer',
      'add',
      '--tenant',
      'acme',
      '--issuer',
      wl.url,
      '--jwks-uri',
      wl.jwksUri,
      '--audience',
      'tessera',
      '--subject-prefix',
      'k8s:',
      '--scopes',
      'read deploy',
      '--role',
      'member',
      '--json',
    ]);
    expect(added).toMatchObject({
      id: expect.stringMatching(/^tis_[0-9a-z]{26}$/),
      issuer: wl.url,
      jwks_uri: wl.jwksUri,
      audience: 'tessera',
      subject_prefix: 'k8s:',
      allowed_scopes: ['read', 'deploy'],
      role: 'member',
      status: 'active',
    });

    const created = await json<{ client_id: string; client_secret: string }>([
      'client',
      'create',
      '--tenant',
      'acme',
      '--name',
      'ci',
      '--grants',
      GRANT,
      '--scopes',
      'read',
      '--json',
    ]);
    const exchange = async () =>
      postForm(
        `${app.url}/oauth/token`,
        { grant_type: GRANT, subject_token: await wl.sign(), subject_token_type: JWT_TYPE },
        { authorization: basic({ clientId: created.client_id, secret: created.client_secret }) },
      );
    const ok = await exchange();
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ scope: 'read', token_type: 'Bearer' });

    const acme = await json<{ issuers: Issuer[] }>([
      'issuer',
      'list',
      '--tenant',
      'acme',
      '--json',
    ]);
    expect(acme.issuers.map((i) => i.id)).toEqual([added.id]);
    const globex = await json<{ issuers: Issuer[] }>([
      'issuer',
      'list',
      '--tenant',
      'globex',
      '--json',
    ]);
    expect(globex.issuers).toEqual([]);
    // Another tenant cannot remove acme's row, even knowing its id.
    oneLineError(await cli(['issuer', 'remove', added.id, '--tenant', 'globex', '--json']));

    expect(await json(['issuer', 'remove', added.id, '--tenant', 'acme', '--json'])).toEqual({
      id: added.id,
      removed: true,
    });
    const refused = await exchange();
    expect({ status: refused.status, error: refused.json.error }).toEqual({
      status: 400,
      error: 'invalid_request',
    });
    expect(
      (await json<{ issuers: Issuer[] }>(['issuer', 'list', '--tenant', 'acme', '--json'])).issuers,
    ).toEqual([]);
  });

  it('bad input: one line on stderr, non-zero exit, nothing on stdout, nothing written', async () => {
    const add = (...extra: string[]) => [
      'issuer',
      'add',
      '--tenant',
      'acme',
      '--audience',
      'tessera',
      ...extra,
      '--json',
    ];
    const J = 'https://idp.example/jwks';
    const cases: [string[], RegExp][] = [
      [add('--issuer', 'https://idp.example', '--jwks-uri', J, '--role', 'god'), /role/],
      [add('--issuer', 'not a url', '--jwks-uri', J), /absolute URL/],
      [add('--issuer', 'ftp://idp.example', '--jwks-uri', J), /http/],
      [
        add('--issuer', 'https://idp.example', '--jwks-uri', 'https://u:p@idp.example/k'),
        /credentials/,
      ],
      [add('--issuer', 'https://idp.example#frag', '--jwks-uri', J), /fragment/],
      [add('--issuer', 'https://idp.example?x=1', '--jwks-uri', J), /query/],
      [add('--issuer', 'https://idp.example', '--jwks-uri', J, '--scopes', 'a"b'), /scope/],
      [add('--issuer', 'https://idp.example'), /jwks-uri/],
      [add('--issuer', 'http://tessera.test/', '--jwks-uri', J), /its own issuer/],
      [
        [
          'issuer',
          'add',
          '--tenant',
          'nope',
          '--issuer',
          'https://i.example',
          '--jwks-uri',
          J,
          '--audience',
          'a',
          '--json',
        ],
        /unknown tenant/,
      ],
      [['issuer', 'remove', 'not-an-id', '--tenant', 'acme', '--json'], /no such trusted issuer/],
      [
        ['issuer', 'remove', 'tis_01jd0000000000000000000000', '--tenant', 'acme', '--json'],
        /no such trusted issuer/,
      ],
      [['issuer', 'list', '--json'], /tenant/],
    ];
    for (const [args, why] of cases) {
      const r = await cli(args);
      expect({ args, ok: r.code === 0 }).toEqual({ args, ok: false });
      oneLineError(r);
      expect({ args, stderr: r.stderr }).toEqual({ args, stderr: expect.stringMatching(why) });
    }
    expect(
      (await json<{ issuers: Issuer[] }>(['issuer', 'list', '--tenant', 'acme', '--json'])).issuers,
    ).toEqual([]);
  });

  it('a tenant trusts an issuer once: a second add is a conflict', async () => {
    const args = [
      'issuer',
      'add',
      '--tenant',
      'globex',
      '--issuer',
      'https://token.actions.githubusercontent.com',
      '--jwks-uri',
      'https://token.actions.githubusercontent.com/.well-known/jwks',
      '--audience',
      'tessera',
      '--json',
    ];
    await json(args);
    const again = await cli(args);
    oneLineError(again);
    expect(again.stderr).toMatch(/already trusts/);
  });

  it('production refuses an http issuer or JWKS URI', async () => {
    const r = await cli(
      [
        'issuer',
        'add',
        '--tenant',
        'acme',
        '--issuer',
        'http://idp.example',
        '--jwks-uri',
        'http://idp.example/jwks',
        '--audience',
        'tessera',
        '--json',
      ],
      { NODE_ENV: 'production', ISSUER: 'https://tessera.example' },
    );
    oneLineError(r);
    expect(r.stderr).toMatch(/https/);
  });
});
