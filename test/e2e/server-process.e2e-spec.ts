import { decodeJwt } from 'jose';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { cliEnvFor, seedClientViaCli } from '@tessera/testing/cli-process';
import { clientCredentialsToken } from '../support/oauth';

/** The multi-node helper itself: nodes are processes with their own clocks, and can be killed. */
describe('nodes as separate processes', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let client: Awaited<ReturnType<typeof seedClientViaCli>>;
  const env = { ISSUER: 'http://tessera.test' };
  const token = (node: ServerProcess) => clientCredentialsToken(node.url, client);

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startServerProcess(db, { env });
    // Same signing key on both: node b uses node a's data dir (its development key).
    b = await startServerProcess(db, {
      env: { ...env, DATA_DIR: a.dataDir },
      clockOffsetMs: 120_000,
    });
    client = await seedClientViaCli(cliEnvFor(db, a, env));
  });
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await db?.drop();
  });

  it('each node has its own pid and its own clock offset', async () => {
    expect(a.pid).not.toBe(b.pid);
    const t0 = Date.now();
    const iatA = decodeJwt(await token(a)).iat!;
    const iatB = decodeJwt(await token(b)).iat!;
    // 120 s apart, plus the time between the two requests (measured, however slow), ±1 s of
    // iat's whole seconds.
    const between = Math.ceil((Date.now() - t0) / 1000);
    expect(iatB - iatA).toBeGreaterThanOrEqual(119);
    expect(iatB - iatA).toBeLessThanOrEqual(121 + between);
  });

  it('SIGKILL ends one node at once; the other keeps serving', async () => {
    const code = await b.kill('SIGKILL');
    expect(code).toBeNull();
    expect(b.exited()).toBe(true);
    await expect(fetch(`${b.url}/health/live`)).rejects.toThrow();
    expect(decodeJwt(await token(a)).iss).toBe('http://tessera.test');
  });
});
