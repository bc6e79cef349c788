import { Client } from 'pg';
import { cliEnvFor, seedClientViaCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import {
  connectSuperuser,
  createTestDatabase,
  type TestDatabase,
} from '@tessera/testing/test-database';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The group commit of token records under a database that stops taking one tenant's rows. */
describe('POST /oauth/token › token records under a stalled database', () => {
  let db: TestDatabase;
  let node: ServerProcess;
  let a: Awaited<ReturnType<typeof seedClientViaCli>>;
  let b: Awaited<ReturnType<typeof seedClientViaCli>>;
  let locker: Client;

  const token = (c: typeof a) =>
    postForm(
      `${node.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(c) },
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    node = await startServerProcess(db, {
      env: { TOKEN_RECORD_TENANT_QUEUE_LIMIT: '2', TOKEN_RECORD_QUEUE_LIMIT: '50' },
    });
    const cli = cliEnvFor(db, node);
    a = await seedClientViaCli(cli);
    b = await seedClientViaCli(cli);
    locker = await connectSuperuser(db);
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await node?.kill();
    await db?.drop();
  });

  it('a tenant whose inserts wait on a lock gets 503 + Retry-After past its queue limit; another tenant is served meanwhile; the held requests finish once the lock goes', async () => {
    expect((await token(a)).status).toBe(200);
    expect((await token(b)).status).toBe(200);
    // Inserting a record checks its tenant row (FOR KEY SHARE): FOR UPDATE on A's row stalls
    // exactly A's inserts, while every read (client, tenant status) still goes through.
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM tessera.tenants WHERE id = $1 FOR UPDATE', [a.tenantId]);
    const settled: { status: number; retryAfter: string | null; error: unknown }[] = [];
    const all = Array.from({ length: 10 }, () =>
      token(a).then((r) => {
        settled.push({
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          error: r.json.error,
        });
        return r;
      }),
    );
    // The two rows the queue holds wait; the other eight are refused without waiting.
    const deadline = Date.now() + 20_000;
    while (settled.length < 8 && Date.now() < deadline) await sleep(25);
    expect(settled).toHaveLength(8);
    expect(settled).toEqual(
      Array(8).fill({ status: 503, retryAfter: '1', error: 'temporarily_unavailable' }),
    );
    for (let i = 0; i < 3; i++) expect((await token(b)).status).toBe(200);
    expect(settled).toHaveLength(8); // A's held requests are still waiting
    await locker.query('COMMIT');
    const done = await Promise.all(all);
    expect(done.filter((r) => r.status === 200)).toHaveLength(2);
    expect((await token(a)).status).toBe(200);
  });
});
