import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newId } from '@tessera/domain/shared/ids';
import { generateSigningKey } from '@tessera/infrastructure/crypto/key-generator';
import { ensureBuilt, repoRoot } from '@tessera/testing/build';
import { startRedisServer, type TestRedisServer } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

/** Runs the built server to its exit (it is expected to refuse to start). */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/apps/auth/src/main.js'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH!, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stderr })));
  });
}

describe('Redis safety', () => {
  let db: TestDatabase;
  let managed: TestRedisServer;
  let keysDir: string;
  const nodes: ServerProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase();
    managed = await startRedisServer({ disableConfig: true });
    keysDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-keys-'));
    writeFileSync(path.join(keysDir, 'a.pem'), (await generateSigningKey('ES256')).privatePem);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    await managed?.stop();
    await db?.drop();
  });

  const production = () => ({
    NODE_ENV: 'production',
    ISSUER: 'https://auth.example',
    DATABASE_URL: db.appUrl,
    SIGNING_KEYS_DIR: keysDir,
    REDIS_URL: managed.url,
    LOG_LEVEL: 'silent',
  });

  it('production refuses, in one line, a Redis whose CONFIG is disabled', async () => {
    const r = await runToExit(production());
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/REDIS_EVICTION_POLICY_CHECKED .*noeviction/);
  });

  it('production starts against it once REDIS_EVICTION_POLICY_CHECKED=true says it was checked', async () => {
    const node = await startServerProcess(undefined, {
      env: {
        ...production(),
        DATABASE_ADMIN_URL: undefined,
        REDIS_EVICTION_POLICY_CHECKED: 'true',
      },
    });
    nodes.push(node);
    const r = await fetch(`${node.url}/.well-known/jwks.json`);
    expect(r.status).toBe(200);
  });

  it('a session-store failure is 503 temporarily_unavailable, not 500', async () => {
    const redis = await startRedisServer();
    try {
      const node = await startServerProcess(db, { env: { REDIS_URL: redis.url } });
      nodes.push(node);
      const cookie = `tessera_session=${newId('tenant')}.${'a'.repeat(43)}`;
      const me = () => fetch(`${node.url}/api/v1/me`, { headers: { cookie } });
      expect((await me()).status).toBe(401); // Redis up: no such session
      await redis.stop();
      const r = await me();
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(await r.json()).toMatchObject({ error: 'temporarily_unavailable' });
    } finally {
      await redis.stop();
    }
  });
});
