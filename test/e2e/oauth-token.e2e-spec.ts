import { DI } from '@tessera/application/di-tokens';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import type { TokenRecord, TokenRecords } from '@tessera/application/tokens/token-records.port';
import { newId } from '@tessera/domain/shared/ids';
import { TypeOrmTokenRecords } from '@tessera/infrastructure/tokens/typeorm-token-records';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import {
  connectSuperuser,
  createTestDatabase,
  type TestDatabase,
} from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { basic, postForm, seedClient, type TestClient } from '@tessera/testing/oauth-fixtures';

const ISSUER = 'http://tessera.test';

describe('POST /oauth/token', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let a: TestClient;
  const token = (form: Record<string, string> | string, headers: Record<string, string> = {}) =>
    postForm(`${app.url}/oauth/token`, form, headers);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, {
      ISSUER,
      REDIS_URL: process.env.TEST_REDIS_URL,
      DEV_KEY_ALG: 'RS256',
    });
    a = await seedClient(app);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('grant_type=client_credentials', () => {
    it('issues an RFC 9068 access token that verifies with jose against the JWKS', async () => {
      const res = await token(
        { grant_type: 'client_credentials', scope: 'read' },
        { authorization: basic(a) },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read' });
      const at = res.json.access_token as string;
      expect(decodeProtectedHeader(at)).toMatchObject({
        alg: 'RS256',
        typ: 'at+jwt',
        kid: expect.any(String),
      });
      const jwks = createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(at, jwks, {
        issuer: ISSUER,
        audience: 'tessera-api',
        typ: 'at+jwt',
      });
      expect(payload).toMatchObject({
        sub: a.clientId,
        client_id: a.clientId,
        org: a.tenantId,
        scope: 'read',
      });
      expect(payload.jti).toMatch(/^tok_/);
      expect(payload.exp! - payload.iat!).toBe(900);
    });

    it('accepts client_secret_post', async () => {
      const res = await token({
        grant_type: 'client_credentials',
        client_id: a.clientId,
        client_secret: a.secret,
      });
      expect(res.status).toBe(200);
      expect(res.json.scope).toBe('read write');
    });

    it('the token works on GET /api/v1/me', async () => {
      const { json } = await token(
        { grant_type: 'client_credentials' },
        { authorization: basic(a) },
      );
      const me = await fetch(`${app.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${json.access_token}` },
      });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ sub: a.clientId, tenant: a.tenantId, via: 'bearer' });
    });
  });

  describe('GET /api/v1/me challenges (RFC 6750 §3)', () => {
    const me = (headers: Record<string, string>) => fetch(`${app.url}/api/v1/me`, { headers });
    it('no credentials, or another scheme → 401 with a Bearer challenge and no error code (§3.1)', async () => {
      for (const headers of [{}, { authorization: basic(a) }] as Record<string, string>[]) {
        const res = await me(headers);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
      }
    });
    it('an invalid bearer token → 401 with error="invalid_token" in the challenge', async () => {
      const res = await me({ authorization: 'Bearer a.b.c' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer realm="tessera", error="invalid_token"',
      );
    });
  });

  describe('errors (RFC 6749 §5.2)', () => {
    it('a wrong secret → 401 invalid_client with WWW-Authenticate', async () => {
      const res = await token(
        { grant_type: 'client_credentials' },
        { authorization: basic({ ...a, secret: 'nope' }) },
      );
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });
    it('no client authentication → 401 invalid_client', async () => {
      expect((await token({ grant_type: 'client_credentials' })).json.error).toBe('invalid_client');
    });
    it('two client authentication methods at once → invalid_request', async () => {
      const res = await token(
        { grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.secret },
        { authorization: basic(a) },
      );
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('invalid_request');
    });
    it('a duplicated parameter → invalid_request', async () => {
      const res = await token('grant_type=client_credentials&grant_type=refresh_token', {
        authorization: basic(a),
      });
      expect(res.json).toMatchObject({ error: 'invalid_request' });
    });
    it('an unknown grant_type → unsupported_grant_type', async () => {
      expect(
        (await token({ grant_type: 'password' }, { authorization: basic(a) })).json.error,
      ).toBe('unsupported_grant_type');
    });
    it('a missing grant_type → invalid_request', async () => {
      expect((await token({}, { authorization: basic(a) })).json.error).toBe('invalid_request');
    });
    it('a scope beyond the client’s → invalid_scope', async () => {
      expect(
        (
          await token(
            { grant_type: 'client_credentials', scope: 'admin' },
            { authorization: basic(a) },
          )
        ).json.error,
      ).toBe('invalid_scope');
    });
    it('JSON instead of a form → invalid_request, not 500', async () => {
      const res = await fetch(`${app.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(a) },
        body: '{"grant_type":',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    });
    it('a malformed JSON body is not echoed back in error_description', async () => {
      const res = await fetch(`${app.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `${a.secret} trailing`,
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe('invalid_request');
      expect(body.error_description).not.toContain(a.secret.slice(0, 8));
    });
    it('an oversized body → 4xx invalid_request, not 500', async () => {
      const res = await token(
        { grant_type: 'client_credentials', pad: 'x'.repeat(100_000) },
        { authorization: basic(a) },
      );
      expect(res.status).toBe(413);
      expect(res.json.error).toBe('invalid_request');
    });
    it('a body that does not decode under its Content-Encoding → 400 invalid_request, not 500', async () => {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const res = await token(
          { grant_type: 'client_credentials' },
          { authorization: basic(a), 'content-encoding': encoding },
        );
        expect(res.status).toBe(400);
        expect(res.json.error).toBe('invalid_request');
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });
    it('garbage Authorization headers → 401, never 500', async () => {
      for (const h of [
        'Basic',
        'Basic !!!',
        'Basic ' + Buffer.from('nocolon').toString('base64'),
        'Bearer x',
        'Basic ' + Buffer.from('%zz:%zz').toString('base64'),
      ]) {
        const res = await token({ grant_type: 'client_credentials' }, { authorization: h });
        expect([400, 401]).toContain(res.status);
      }
    });
    it('a client without the grant → unauthorized_client', async () => {
      const c = await seedClient(app, { grants: ['refresh_token'] });
      expect(
        (await token({ grant_type: 'client_credentials' }, { authorization: basic(c) })).json.error,
      ).toBe('unauthorized_client');
    });
  });

  it('a token for a user without a membership in the tenant is refused (access_denied), never a 500', async () => {
    const issue = app.app.get<IssueTokenUseCase>(DI.IssueToken);
    const cc = () => token({ grant_type: 'client_credentials' }, { authorization: basic(a) });
    // Sent at once, beside client_credentials requests of the same tenant.
    const [refused, ...others] = await Promise.allSettled([
      issue.execute({
        tenantId: a.tenantId,
        subject: 'user_01jd0000000000000000000000',
        userId: 'user_01jd0000000000000000000000',
        clientId: 'tessera-console',
        scopes: [],
        grant: 'session',
        withRefresh: false,
      }),
      ...Array.from({ length: 6 }, cc),
    ]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'access_denied' } });
    for (const o of others)
      expect(o).toMatchObject({ status: 'fulfilled', value: { status: 200 } });
  });

  describe('group commit', () => {
    const row = (over: Partial<TokenRecord> = {}): TokenRecord => ({
      jti: newId('token'),
      tenantId: a.tenantId,
      kind: 'access',
      subject: 'svc',
      clientId: a.clientId,
      scopes: ['read'],
      createdVia: 'client_credentials',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
      ...over,
    });
    /** The jtis of each INSERT the Postgres writer is asked for (one call: one transaction). */
    const writes = () => {
      const spy = jest.spyOn(TypeOrmTokenRecords.prototype, 'record');
      return {
        jtis: () => spy.mock.calls.map(([rows]) => rows.map((r) => r.jti)),
        restore: () => spy.mockRestore(),
      };
    };

    it('rows recorded in one tick behind a write in flight commit in one shared transaction', async () => {
      const su = await connectSuperuser(db);
      // Postgres' own word: the transaction that inserted each row.
      await su.query(`CREATE UNLOGGED TABLE tessera.test_insert_tx (jti text, tx bigint)`);
      await su.query(
        `CREATE FUNCTION tessera.test_note_tx() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
         AS $$ BEGIN INSERT INTO tessera.test_insert_tx VALUES (NEW.jti, txid_current()); RETURN NEW; END $$`,
      );
      await su.query(
        `CREATE TRIGGER test_note_tx AFTER INSERT ON tessera.api_tokens
         FOR EACH ROW EXECUTE FUNCTION tessera.test_note_tx()`,
      );
      try {
        const records = app.app.get<TokenRecords>(DI.TokenRecords);
        const first = row();
        const queued = Array.from({ length: 6 }, () => row());
        await Promise.all([first, ...queued].map((r) => records.record([r])));
        const { rows } = await su.query<{ jti: string; tx: string }>(
          'SELECT jti, tx FROM tessera.test_insert_tx WHERE jti = ANY($1)',
          [[first, ...queued].map((r) => r.jti)],
        );
        const tx = new Map(rows.map((r) => [r.jti, r.tx]));
        expect(tx.size).toBe(7);
        expect(new Set(queued.map((r) => tx.get(r.jti))).size).toBe(1);
        expect(tx.get(queued[0]!.jti)).not.toBe(tx.get(first.jti));
      } finally {
        await su.query('DROP TRIGGER IF EXISTS test_note_tx ON tessera.api_tokens');
        await su.query('DROP FUNCTION IF EXISTS tessera.test_note_tx()');
        await su.query('DROP TABLE IF EXISTS tessera.test_insert_tx');
        await su.end();
      }
    });

    it('a bad row in a shared batch fails only its caller; the others commit', async () => {
      const records = app.app.get<TokenRecords>(DI.TokenRecords);
      const seen = writes();
      try {
        // One write in flight; everything recorded in the same tick queues behind it and goes
        // together in the next one (one multi-row INSERT for the tenant).
        const head = row();
        const first = records.record([head]);
        const stranger = 'user_01jd0000000000000000000000';
        const badRow = row({ userId: stranger, subject: stranger, createdVia: 'session' });
        const bad = records.record([badRow]);
        const good = Array.from({ length: 5 }, () => row());
        const goods = good.map((r) => records.record([r]));
        await first;
        await expect(bad).rejects.toMatchObject({ code: 'access_denied' });
        await Promise.all(goods);
        for (const r of good)
          expect(await records.get(a.tenantId, r.jti)).toMatchObject({ jti: r.jti });
        // They did share a write: it failed on the bad row, then each was retried alone.
        const ours = new Set([head, badRow, ...good].map((r) => r.jti));
        const calls = seen.jtis().filter((jtis) => jtis.some((j) => ours.has(j)));
        expect(calls[0]).toEqual([head.jti]);
        expect(calls[1]).toEqual([badRow.jti, ...good.map((r) => r.jti)]);
        expect(calls.slice(2)).toEqual([badRow, ...good].map((r) => [r.jti]));
      } finally {
        seen.restore();
      }
    });
  });
});
