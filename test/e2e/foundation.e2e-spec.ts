import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DI } from '@tessera/application/di-tokens';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import type { TenantDirectory } from '@tessera/application/tenant/tenant-directory.port';
import { generateSigningKey } from '@tessera/infrastructure/crypto/key-generator';
import { signCompact } from '@tessera/infrastructure/crypto/jws';
import { ensureBuilt, repoRoot } from '@tessera/testing/build';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp } from '@tessera/testing/test-app';

const me = (url: string, at: string) =>
  fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${at}` } });
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('foundation', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('GET /health/live and /health/ready report database, signing key, denylist and Redis', async () => {
    const app = await startTestApp(db, { REDIS_URL: process.env.TEST_REDIS_URL });
    try {
      expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${app.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { details: Record<string, { status: string }> };
      for (const k of ['database', 'signing_key', 'denylist', 'redis'])
        expect(body.details[k]?.status).toBe('up');
    } finally {
      await app.close();
    }
  });

  it('the development key persists: a token issued before a restart verifies after it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-devkey-'));
    const first = await startTestApp(db, { DATA_DIR: dataDir, DEV_KEY_ALG: 'RS256' });
    const tenant = await first.app.get<TenantDirectory>(DI.Tenants).create('devkey', 'devkey');
    const minted = await first.app.get<IssueTokenUseCase>(DI.IssueToken).execute({
      tenantId: tenant.id,
      subject: 's',
      clientId: 'tessera-cli',
      scopes: [],
      grant: 'cli',
      withRefresh: false,
    });
    await first.close();
    const second = await startTestApp(db, { DATA_DIR: dataDir });
    try {
      expect((await me(second.url, minted.access_token)).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  describe('overlap rotation with SIGNING_KEYS_DIR', () => {
    it('a non-primary loaded key verifies; unknown or missing kid, alg none and HS256-with-the-public-key do not', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-keys-'));
      const primary = await generateSigningKey('RS256', 2048);
      const old = await generateSigningKey('ES256');
      writeFileSync(path.join(dir, 'primary.pem'), primary.privatePem, { mode: 0o600 });
      writeFileSync(path.join(dir, 'old.pem'), old.privatePem, { mode: 0o600 });
      writeFileSync(
        path.join(dir, 'keys.json'),
        JSON.stringify({ keys: [{ file: 'primary.pem', primary: true }, { file: 'old.pem' }] }),
      );
      const app = await startTestApp(db, { SIGNING_KEYS_DIR: dir, ISSUER: 'http://tessera.test' });
      try {
        const tenant = await app.app.get<TenantDirectory>(DI.Tenants).create('overlap', 'overlap');
        const now = Math.floor(Date.now() / 1000);
        const claims = {
          iss: 'http://tessera.test',
          aud: 'tessera-api',
          sub: 's',
          client_id: 'c',
          org: tenant.id,
          jti: 'tok_01jd0000000000000000000000',
          iat: now,
          exp: now + 60,
        };
        const byOld = await signCompact(
          { alg: 'ES256', kid: old.material.kid, typ: 'at+jwt' },
          claims,
          old.material.privateKey!,
        );
        expect((await me(app.url, byOld)).status).toBe(200);
        const jwks = (await (await fetch(`${app.url}/.well-known/jwks.json`)).json()) as {
          keys: { kid: string }[];
        };
        expect(jwks.keys.map((k) => k.kid).sort()).toEqual(
          [primary.material.kid, old.material.kid].sort(),
        );

        const unknown = await generateSigningKey('ES256');
        const forged = [
          await signCompact(
            { alg: 'ES256', kid: unknown.material.kid, typ: 'at+jwt' },
            claims,
            unknown.material.privateKey!,
          ),
          await signCompact(
            { alg: 'ES256', typ: 'at+jwt' } as never,
            claims,
            old.material.privateKey!,
          ),
          `${b64({ alg: 'none', kid: primary.material.kid, typ: 'at+jwt' })}.${b64(claims)}.`,
          (() => {
            const input = `${b64({ alg: 'HS256', kid: primary.material.kid, typ: 'at+jwt' })}.${b64(claims)}`;
            return `${input}.${createHmac('sha256', primary.publicPem).update(input).digest('base64url')}`;
          })(),
        ];
        for (const t of forged) {
          const res = await me(app.url, t);
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
        }
      } finally {
        await app.close();
      }
    });
  });

  describe('the built server (node dist/apps/auth/src/main.js)', () => {
    const keyPems: string[] = [];
    beforeAll(async () => {
      ensureBuilt();
      for (let i = 0; i < 2; i++) keyPems.push((await generateSigningKey('EdDSA')).privatePem);
    });
    const runServer = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['dist/apps/auth/src/main.js'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });

    it.each([
      ['PORT', { PORT: 'not-a-port' }],
      ['ACCESS_TOKEN_TTL', { ACCESS_TOKEN_TTL: 'forever' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
      ['ISSUER', { NODE_ENV: 'production' }],
    ])('bad config → non-zero exit naming %s', (name, env) => {
      const r = runServer(env as Record<string, string>);
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(name);
    });

    it('production without a signing key → one line saying how to generate one', () => {
      const r = runServer({
        NODE_ENV: 'production',
        ISSUER: 'https://auth.example',
        DATABASE_URL: db.appUrl,
      });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/keys generate/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('two primaries refuse to start with one clear line', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-keys-'));
      for (const n of ['a', 'b']) writeFileSync(path.join(dir, `${n}.pem`), keyPems.shift()!);
      writeFileSync(
        path.join(dir, 'keys.json'),
        JSON.stringify({
          keys: [
            { file: 'a.pem', primary: true },
            { file: 'b.pem', primary: true },
          ],
        }),
      );
      const r = runServer({ SIGNING_KEYS_DIR: dir, DATABASE_URL: db.appUrl });
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/2 primary signing keys/);
    });

    it('SIGTERM stops it cleanly', async () => {
      const child = spawn(process.execPath, ['dist/apps/auth/src/main.js'], {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH,
          PORT: '0',
          LOG_LEVEL: 'info',
          DATABASE_URL: db.appUrl,
          DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tessera-srv-')),
        },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const t0 = Date.now();
      while (!/listening on/.test(out)) {
        if (Date.now() - t0 > 20_000 || child.exitCode !== null)
          throw new Error(`server did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGTERM');
      const code = await new Promise((r) => child.once('exit', r));
      expect(code).toBe(0);
    });
  });
});
