import Redis from 'ioredis';
import { DI } from '@tessera/application/di-tokens';
import type { TokenRecords } from '@tessera/application/tokens/token-records.port';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import { basic, postForm, seedClient, type TestClient } from '@tessera/testing/oauth-fixtures';

/** A pair bound to `c`, minted the way `token mint --with-refresh` does. */
async function mintPair(app: RunningApp, c: TestClient, scopes = ['read', 'write']) {
  const issue = app.app.get<IssueTokenUseCase>(DI.IssueToken);
  return issue.execute({
    tenantId: c.tenantId,
    subject: 'user-1',
    clientId: c.clientId,
    scopes,
    grant: 'cli',
    withRefresh: true,
  });
}

const me = (app: RunningApp, at: string) =>
  fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${at}` } });

describe('grant_type=refresh_token', () => {
  let db: TestDatabase;
  let app: RunningApp; // short grace window: reuse is detected after 1 s
  let a: TestClient;
  let b: TestClient;
  const refresh = (c: TestClient, rt: string, extra: Record<string, string> = {}) =>
    postForm(
      `${app.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: rt, ...extra },
      { authorization: basic(c) },
    );
  const introspect = (c: TestClient, token: string) =>
    postForm(`${app.url}/oauth/introspect`, { token }, { authorization: basic(c) });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, {
      REDIS_URL: process.env.TEST_REDIS_URL,
      REFRESH_GRACE_PERIOD: '1s',
    });
    a = await seedClient(app);
    b = await seedClient(app);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('rotation: a new pair each time, the family continues', async () => {
    const first = await mintPair(app, a);
    const r1 = await refresh(a, first.refresh_token!);
    expect(r1.status).toBe(200);
    expect(r1.headers.get('cache-control')).toBe('no-store');
    expect(r1.json).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
    expect(r1.json.refresh_token).not.toBe(first.refresh_token);
    const r2 = await refresh(a, r1.json.refresh_token as string);
    expect(r2.status).toBe(200);
    expect((await me(app, r2.json.access_token as string)).status).toBe(200);
  });

  it('scope may only narrow', async () => {
    const pair = await mintPair(app, a);
    expect((await refresh(a, pair.refresh_token!, { scope: 'read admin' })).json.error).toBe(
      'invalid_scope',
    );
    const narrowed = await refresh(a, pair.refresh_token!, { scope: 'read' });
    expect(narrowed.json.scope).toBe('read');
    // The family keeps its scope: the successor can still ask for all of it.
    expect((await refresh(a, narrowed.json.refresh_token as string)).json.scope).toBe('read write');
  });

  it('reuse revokes the family, with its access tokens', async () => {
    const first = await mintPair(app, a);
    const second = await refresh(a, first.refresh_token!);
    const third = await refresh(a, second.json.refresh_token as string);
    expect(third.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100)); // past the grace window
    const replay = await refresh(a, first.refresh_token!);
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    // The newest refresh token of the family is dead too…
    expect((await refresh(a, third.json.refresh_token as string)).json.error).toBe('invalid_grant');
    // …and so is every access token the family produced: at the guard and at introspection.
    for (const at of [
      first.access_token,
      second.json.access_token as string,
      third.json.access_token as string,
    ]) {
      expect((await me(app, at)).status).toBe(401);
      expect((await introspect(a, at)).json).toEqual({ active: false });
    }
  });

  it('the refresh token is bound to its client: client B cannot use it, and A keeps it', async () => {
    const pair = await mintPair(app, a);
    const stolen = await refresh(b, pair.refresh_token!);
    expect(stolen.json.error).toBe('invalid_grant');
    expect((await refresh(a, pair.refresh_token!)).status).toBe(200);
  });

  it('client B cannot revoke or introspect A’s tokens; A can', async () => {
    const pair = await mintPair(app, a);
    expect((await introspect(b, pair.access_token)).json).toEqual({ active: false });
    expect((await introspect(b, pair.refresh_token!)).json).toEqual({ active: false });
    const revokeByB = await postForm(
      `${app.url}/oauth/revoke`,
      { token: pair.access_token },
      { authorization: basic(b) },
    );
    expect(revokeByB.status).toBe(200);
    await postForm(
      `${app.url}/oauth/revoke`,
      { token: pair.refresh_token! },
      { authorization: basic(b) },
    );
    expect((await me(app, pair.access_token)).status).toBe(200);
    expect((await introspect(a, pair.access_token)).json).toMatchObject({
      active: true,
      client_id: a.clientId,
      org: a.tenantId,
    });
    expect((await introspect(a, pair.refresh_token!)).json).toMatchObject({
      active: true,
      token_type: 'refresh_token',
    });

    const revokeByA = await postForm(
      `${app.url}/oauth/revoke`,
      { token: pair.access_token, token_type_hint: 'access_token' },
      { authorization: basic(a) },
    );
    expect(revokeByA.status).toBe(200);
    expect((await me(app, pair.access_token)).status).toBe(401);
    expect((await introspect(a, pair.access_token)).json).toEqual({ active: false });
  });

  it('revoking a refresh token (RFC 7009) revokes its family', async () => {
    const pair = await mintPair(app, a);
    expect(
      (
        await postForm(
          `${app.url}/oauth/revoke`,
          { token: pair.refresh_token! },
          { authorization: basic(a) },
        )
      ).status,
    ).toBe(200);
    expect((await refresh(a, pair.refresh_token!)).json.error).toBe('invalid_grant');
    expect((await me(app, pair.access_token)).status).toBe(401);
  });

  it('introspection: unknown, malformed and expired input is inactive, never an error', async () => {
    for (const token of ['nope', 'a.b.c', 'x'.repeat(10_000), 'A'.repeat(43)]) {
      const res = await introspect(a, token);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ active: false });
    }
    expect((await postForm(`${app.url}/oauth/introspect`, { token: 'x' })).status).toBe(401);
  });

  it('introspection: a wrong token_type_hint does not hide the token (RFC 7662 §2.1)', async () => {
    const pair = await mintPair(app, a);
    const asAccess = await postForm(
      `${app.url}/oauth/introspect`,
      { token: pair.refresh_token!, token_type_hint: 'access_token' },
      { authorization: basic(a) },
    );
    expect(asAccess.json).toMatchObject({ active: true, client_id: a.clientId });
    const asRefresh = await postForm(
      `${app.url}/oauth/introspect`,
      { token: pair.access_token, token_type_hint: 'refresh_token' },
      { authorization: basic(a) },
    );
    expect(asRefresh.json).toMatchObject({ active: true, jti: pair.jti });
  });

  it('introspection agrees with the grant: revoking only the access token leaves its refresh token active (RFC 7662 §2.2)', async () => {
    const pair = await mintPair(app, a);
    await postForm(
      `${app.url}/oauth/revoke`,
      { token: pair.access_token, token_type_hint: 'access_token' },
      { authorization: basic(a) },
    );
    expect((await introspect(a, pair.access_token)).json).toEqual({ active: false });
    expect((await introspect(a, pair.refresh_token!)).json).toMatchObject({ active: true });
    expect((await refresh(a, pair.refresh_token!)).status).toBe(200);
  });

  it('introspection: a family revoked in Postgres stays inactive when Redis lost its marker', async () => {
    const pair = await mintPair(app, a);
    await postForm(
      `${app.url}/oauth/revoke`,
      { token: pair.refresh_token! },
      { authorization: basic(a) },
    );
    const records = app.app.get<TokenRecords>(DI.TokenRecords);
    const { familyId } = (await records.get(a.tenantId, pair.refresh_jti!))!;
    const redis = new Redis(process.env.TEST_REDIS_URL!);
    try {
      expect(await redis.hdel(`tessera:{${a.tenantId}}:fam:${familyId}`, 'revoked')).toBe(1);
    } finally {
      redis.disconnect();
    }
    expect((await introspect(a, pair.refresh_token!)).json).toEqual({ active: false });
    expect((await refresh(a, pair.refresh_token!)).json.error).toBe('invalid_grant');
  });

  it('revocation: an unknown token_type_hint is ignored and the token is still revoked (RFC 7009 §2.2)', async () => {
    const pair = await mintPair(app, a);
    const res = await postForm(
      `${app.url}/oauth/revoke`,
      { token: pair.access_token, token_type_hint: 'id_token' },
      { authorization: basic(a) },
    );
    expect(res.status).toBe(200);
    expect((await introspect(a, pair.access_token)).json).toEqual({ active: false });
    expect((await me(app, pair.access_token)).status).toBe(401);
  });

  it('revocation: unknown tokens are 200, a missing token is invalid_request', async () => {
    expect(
      (await postForm(`${app.url}/oauth/revoke`, { token: 'unknown' }, { authorization: basic(a) }))
        .status,
    ).toBe(200);
    expect(
      (await postForm(`${app.url}/oauth/revoke`, {}, { authorization: basic(a) })).json.error,
    ).toBe('invalid_request');
    expect(
      (
        await postForm(
          `${app.url}/oauth/revoke`,
          { token: 'x', token_type_hint: 'id_token' },
          { authorization: basic(a) },
        )
      ).status,
    ).toBe(200);
  });

  it('malformed refresh requests are invalid_request or invalid_grant', async () => {
    expect(
      (
        await postForm(
          `${app.url}/oauth/token`,
          { grant_type: 'refresh_token' },
          { authorization: basic(a) },
        )
      ).json.error,
    ).toBe('invalid_request');
    expect((await refresh(a, 'short')).json.error).toBe('invalid_grant');
    expect((await refresh(a, 'A'.repeat(43))).json.error).toBe('invalid_grant');
  });
});

describe('grant_type=refresh_token › 50 parallel refreshes of one token', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let a: TestClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, {
      REDIS_URL: process.env.TEST_REDIS_URL,
      REFRESH_GRACE_PERIOD: '30s',
    });
    a = await seedClient(app);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('never fork the family: every caller gets the same successor pair', async () => {
    const pair = await mintPair(app, a);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        postForm(
          `${app.url}/oauth/token`,
          { grant_type: 'refresh_token', refresh_token: pair.refresh_token! },
          { authorization: basic(a) },
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(50);
    const successors = new Set(ok.map((r) => r.json.refresh_token));
    expect(successors.size).toBe(1);
    expect(new Set(ok.map((r) => r.json.access_token)).size).toBe(1);
    // The one successor works, and the family is intact.
    const next = await postForm(
      `${app.url}/oauth/token`,
      { grant_type: 'refresh_token', refresh_token: [...successors][0] as string },
      { authorization: basic(a) },
    );
    expect(next.status).toBe(200);
  });
});
