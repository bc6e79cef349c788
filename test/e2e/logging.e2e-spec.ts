import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import type { ManageTrustedIssuers } from '@tessera/application/manage-trusted-issuers/manage-trusted-issuers.use-case';
import { basic, postForm, seedClient } from '@tessera/testing/oauth-fixtures';
import { startWorkloadIssuer } from '@tessera/testing/workload-issuer';
import type { RunningApp } from '@tessera/testing/test-app';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { createAuthApp } from '../../apps/auth/src/bootstrap';
import { TOKEN_EXCHANGE as GRANT } from '../support/oauth';

/** Every byte the app logs, kept for inspection. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/** Polls the captured log until `pick` finds something (a generous deadline, not a latency). */
async function logged<T>(pick: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = pick();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('the expected log line never came');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const secret = (name: string) => `${name}-S3CR3T-${Math.random().toString(36).slice(2, 10)}`;

describe('structured logs', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let url: string;
  const log = new Capture();

  beforeAll(async () => {
    db = await createTestDatabase();
    const cfg = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'trace',
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tessera-log-')),
      DATABASE_URL: db.appUrl,
      DATABASE_ADMIN_URL: db.ownerUrl,
      DEV_KEY_ALG: 'ES256',
    });
    app = await createAuthApp(cfg, { logDestination: log });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('no token, secret, cookie or Authorization value ever reaches the log', async () => {
    const s = {
      bearer: secret('bearer'),
      cookie: secret('cookie'),
      basicSecret: secret('basic'),
      clientSecret: secret('client_secret'),
      refresh: secret('refresh'),
      code: secret('code'),
      subject: secret('subject'),
      assertion: secret('assertion'),
      password: secret('password'),
      queryToken: secret('qtoken'),
      jsonToken: secret('jtoken'),
    };
    const basic = Buffer.from(`cli_logtest:${s.basicSecret}`).toString('base64');
    await fetch(`${url}/.well-known/jwks.json`, {
      headers: {
        Authorization: `Bearer ${s.bearer}`,
        Cookie: `tessera_session=${s.cookie}; other=${s.cookie}`,
      },
    });
    await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: `tessera_session=${s.cookie}`,
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: s.refresh,
        client_secret: s.clientSecret,
        code: s.code,
        subject_token: s.subject,
        client_assertion: s.assertion,
        password: s.password,
      }).toString(),
    });
    await fetch(`${url}/oauth/introspect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.bearer}` },
      body: JSON.stringify({ token: s.jsonToken, client_secret: s.clientSecret }),
    });
    await fetch(
      `${url}/no/such/route?access_token=${s.queryToken}&code=${s.code}&password=${s.password}&state=visible`,
      { headers: { Authorization: `Bearer ${s.bearer}` } },
    );
    await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${s.bearer}` } });
    // Every request above has its completion line (they are the only traffic so far).
    await logged(() =>
      log
        .lines()
        .some((l) => (l.req as { url?: string } | undefined)?.url === '/api/v1/me' && l.res)
        ? true
        : undefined,
    );
    const completed = log.lines().filter((l) => l.req && l.res);
    expect(completed.length).toBeGreaterThanOrEqual(5);
    for (const value of [...Object.values(s), basic]) expect(log.text).not.toContain(value);
    // The query string is still useful: only the secret values went.
    expect(log.text).toContain('state=visible');
  });

  it('a real token exchange › tenant and client on the line, no secret, subject token or issued token in it', async () => {
    const running = { app, cfg: loadConfig({}), url, close: async () => {} } as RunningApp;
    const client = await seedClient(running, { grants: [GRANT], scopes: ['read'] });
    const workload = await startWorkloadIssuer({ audience: 'tessera-log-test' });
    try {
      await app.get<ManageTrustedIssuers>(DI.ManageTrustedIssuers).add(
        client.tenantId,
        {
          issuer: workload.url,
          jwksUri: workload.jwksUri,
          audience: 'tessera-log-test',
          scopes: ['read'],
        },
        'test',
      );
      const subjectToken = await workload.sign({ sub: 'ci-runner-7' });
      const requestId = `exchange-${Math.random().toString(36).slice(2, 10)}`;
      const res = await postForm(
        `${url}/oauth/token`,
        {
          grant_type: GRANT,
          subject_token: subjectToken,
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          scope: 'read',
        },
        { Authorization: basic(client), 'X-Request-Id': requestId },
      );
      expect(res.status).toBe(200);
      expect(res.json.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
      const accessToken = res.json.access_token as string;
      expect(accessToken).toEqual(expect.any(String));

      const line = await logged(() =>
        log.lines().find((l) => (l.req as { id?: string } | undefined)?.id === requestId && l.res),
      );
      expect(line).toMatchObject({
        tenant: client.tenantId,
        client: client.clientId,
        res: { statusCode: 200 },
      });
      for (const token of [accessToken, subjectToken]) {
        expect(log.text).not.toContain(token);
        // Not even the signature alone.
        expect(log.text).not.toContain(token.split('.')[2]);
      }
      expect(log.text).not.toContain(client.secret);
    } finally {
      await workload.close();
    }
  });

  it('a request id on every request line and in X-Request-Id; a safe incoming id is kept', async () => {
    const kept = await fetch(`${url}/.well-known/jwks.json`, {
      headers: { 'X-Request-Id': 'edge-1234.abc' },
    });
    expect(kept.headers.get('x-request-id')).toBe('edge-1234.abc');
    const hostile = await fetch(`${url}/.well-known/jwks.json`, {
      headers: { 'X-Request-Id': `a"b {${'x'.repeat(200)}}` },
    });
    const generated = hostile.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const none = await fetch(`${url}/no/such/route`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const lastId = none.headers.get('x-request-id');
    await logged(() =>
      log.lines().some((l) => (l.req as { id?: string } | undefined)?.id === lastId)
        ? true
        : undefined,
    );

    const requestLines = log.lines().filter((l) => l.req);
    expect(requestLines.length).toBeGreaterThan(0);
    for (const l of requestLines)
      expect((l.req as { id?: unknown }).id).toEqual(expect.any(String));
    const ids = requestLines.map((l) => (l.req as { id: string }).id);
    expect(ids).toContain('edge-1234.abc');
    expect(ids).toContain(generated);
    expect(log.text).not.toContain('x'.repeat(200));
  });
});
