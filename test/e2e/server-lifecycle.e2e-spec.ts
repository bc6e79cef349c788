import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { Client as Pg } from 'pg';
import { connectPg, createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { cliEnvFor, seedClientViaCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { until } from '@tessera/testing/poll';

/** Polls `check` until true; fails with `what` after a generous deadline (a loaded machine). */
const waitFor = (what: string, check: () => Promise<boolean> | boolean, ms = 60_000) =>
  until(what, check, { timeoutMs: ms, everyMs: 100 });

/** True when a new TCP connection to the port is refused (nothing listens any more). */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => (sock.destroy(), resolve(false)));
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

describe('npm start › DATABASE_URL unset', () => {
  let dataDir: string;
  let node: ServerProcess | undefined;
  let postmaster: number | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-start-'));
    // As root the embedded Postgres runs as "postgres", which must reach DATA_DIR/postgres.
    chmodSync(dataDir, 0o755);
  });
  afterAll(async () => {
    if (node && !node.exited()) await node.kill('SIGKILL');
    if (postmaster && alive(postmaster)) process.kill(postmaster, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the built server starts an embedded Postgres under DATA_DIR, serves tokens, and SIGTERM stops both', async () => {
    node = await startServerProcess(undefined, {
      env: { DATA_DIR: dataDir, DATABASE_URL: undefined, DATABASE_ADMIN_URL: undefined },
      // initdb and first migrations on a shared, busy machine.
      readyTimeoutMs: 240_000,
    });
    const state = JSON.parse(readFileSync(path.join(dataDir, 'postgres.json'), 'utf8')) as {
      pgdata: string;
      port: number;
    };
    expect(state.pgdata).toBe(path.join(dataDir, 'postgres'));
    expect(existsSync(path.join(state.pgdata, 'PG_VERSION'))).toBe(true);
    postmaster = Number(
      readFileSync(path.join(state.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    expect(alive(postmaster)).toBe(true);

    // The CLI finds the running cluster through DATA_DIR alone; the server issues from it.
    const client = await seedClientViaCli({ DATA_DIR: dataDir });
    const res = await postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client) },
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(res.json.access_token as string).org).toBe(client.tenantId);

    expect(await node.stop()).toBe(0);
    await waitFor('the embedded postmaster to exit', () => !alive(postmaster!));
    expect(await refused(state.port)).toBe(true);
    expect(node.output()).not.toMatch(/failed|error/i);
  }, 360_000);
});

describe('SIGTERM › drains in-flight requests', () => {
  let db: TestDatabase;
  let node: ServerProcess | undefined;
  let owner: Pg;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = await connectPg(db.ownerUrl);
  });
  afterAll(async () => {
    if (node && !node.exited()) await node.kill('SIGKILL');
    await owner?.end().catch(() => undefined);
    await db?.drop();
  });

  it('a token request in flight completes (200, its record written) while new connections are refused; exit 0', async () => {
    node = await startServerProcess(db, { env: { ISSUER: 'http://tessera.test' } });
    const client = await seedClientViaCli(cliEnvFor(db, node));
    // A slow request: its token record's INSERT waits on a lock this test holds.
    await owner.query('BEGIN');
    await owner.query('LOCK TABLE tessera.api_tokens IN ACCESS EXCLUSIVE MODE');
    const inFlight = postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client) },
    );
    const waiting = async () => {
      const r = await owner.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE NOT l.granted AND d.datname = current_database()`,
      );
      return r.rows[0]!.n > 0;
    };
    await waitFor('the token request to wait on the lock', waiting);

    const code = node.stop();
    await waitFor('the listener to close', () => refused(node!.port));
    expect(node.exited()).toBe(false);

    await owner.query('COMMIT');
    const res = await inFlight;
    expect(res.status).toBe(200);
    const jti = decodeJwt(res.json.access_token as string).jti;
    // Row-level security is forced on the owner too: read as the token's tenant.
    await owner.query('BEGIN');
    await owner.query(`SELECT set_config('app.tenant_id', $1, true)`, [client.tenantId]);
    const rows = await owner.query('SELECT 1 FROM tessera.api_tokens WHERE jti = $1', [jti]);
    await owner.query('COMMIT');
    expect(rows.rowCount).toBe(1);
    expect(await code).toBe(0);
  }, 180_000);
});
