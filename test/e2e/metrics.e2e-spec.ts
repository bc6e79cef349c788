import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DI } from '@tessera/application/di-tokens';
import { generateSigningKey } from '@tessera/infrastructure/crypto/key-generator';
import type { KeyRing } from '@tessera/infrastructure/crypto/key-ring';
import type { IssueTokenUseCase } from '@tessera/application/issue-token/issue-token.use-case';
import { basic, postForm, seedClient, type TestClient } from '@tessera/testing/oauth-fixtures';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';
import { startTestApp, type RunningApp } from '@tessera/testing/test-app';
import {
  freePort,
  promtoolCheck,
  promtoolCheckMetrics,
  startPrometheus,
  type RunningPrometheus,
} from '@tessera/testing/prometheus';
import { untilValue } from '@tessera/testing/poll';

/** A GET from a chosen local address (127.0.0.2 is loopback too, but not "localhost"). */
function get(
  url: string,
  opts: { localAddress?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress: opts.localAddress, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return untilValue('the condition', fn, { timeoutMs, everyMs: 250 });
}

const root = path.resolve(__dirname, '../..');

/** One sample of the exposition: `name{labels}` exactly as prom-client prints it, or 0. */
function sample(exposition: string, name: string, labels = ''): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('GET /metrics', () => {
  let db: TestDatabase;
  let app: RunningApp;

  let keysDir: string;
  let client: TestClient;
  const kids: { active: string; retiring: string } = { active: '', retiring: '' };

  // Two keys on disk: a primary made now and a retiring one ten days old, as after a rotation.
  beforeAll(async () => {
    keysDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-keys-'));
    const [fresh, old] = [await generateSigningKey('ES256'), await generateSigningKey('ES256')];
    writeFileSync(path.join(keysDir, 'new.pem'), fresh.privatePem);
    writeFileSync(path.join(keysDir, 'old.pem'), old.privatePem);
    const tenDaysAgo = new Date(Date.now() - 10 * 86400_000);
    utimesSync(path.join(keysDir, 'old.pem'), tenDaysAgo, tenDaysAgo);
    writeFileSync(
      path.join(keysDir, 'keys.json'),
      JSON.stringify({ keys: [{ file: 'new.pem', primary: true }, { file: 'old.pem' }] }),
    );
    kids.active = fresh.material.kid;
    kids.retiring = old.material.kid;
    db = await createTestDatabase();
    // A short grace window: a replayed refresh token becomes a detected reuse after 1 s.
    app = await startTestApp(db, { SIGNING_KEYS_DIR: keysDir, REFRESH_GRACE_PERIOD: '1s' });
    client = await seedClient(app);
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  describe('scraped by a real Prometheus', () => {
    let prom: RunningPrometheus;

    beforeAll(async () => {
      prom = await startPrometheus([new URL(app.url).host], { intervalSeconds: 1 });
    });
    afterAll(async () => {
      await prom?.stop();
    });

    it('finds Tessera’s series with sane values after traffic', async () => {
      const issuedNow = await postForm(
        `${app.url}/oauth/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic(client) },
      );
      expect(issuedNow.status).toBe(200);
      for (let i = 0; i < 5; i++)
        expect((await get(`${app.url}/.well-known/jwks.json`)).status).toBe(200);
      for (let i = 0; i < 3; i++) {
        expect((await get(`${app.url}/no/such/route-${i}?token=x`)).status).toBe(404);
      }
      const q = (promql: string) => prom.query(promql);

      const jwks = await eventually(async () => {
        const r = await q(
          'tessera_http_requests_total{route="/.well-known/jwks.json",method="GET",status="200"}',
        );
        return r[0] && r[0].value >= 5 ? r[0] : undefined;
      });
      expect(jwks.metric).toMatchObject({ job: 'tessera' });
      // A scrape may time out on a loaded machine; the next one succeeds.
      await eventually(async () =>
        (await q('up{job="tessera"}'))[0]?.value === 1 ? true : undefined,
      );

      const unmatched = await q('tessera_http_requests_total{route="unmatched",status="404"}');
      expect(unmatched[0]?.value).toBeGreaterThanOrEqual(3);
      // Raw paths never become labels: every route label is a template or "unmatched".
      const routes = (await q('count by (route) (tessera_http_requests_total)')).map(
        (r) => r.metric.route,
      );
      expect(routes.some((r) => r?.includes('route-'))).toBe(false);

      const latency = await q(
        'tessera_http_request_duration_seconds_count{route="/.well-known/jwks.json",status="200"}',
      );
      expect(latency[0]?.value).toBeGreaterThanOrEqual(5);
      const sum = await q(
        'tessera_http_request_duration_seconds_sum{route="/.well-known/jwks.json",status="200"}',
      );
      expect(sum[0]?.value).toBeGreaterThan(0);
      expect(sum[0]!.value).toBeLessThan(60);

      const ring = app.app.get<KeyRing>(DI.KeyRing);
      expect(ring.kid).toBe(kids.active);
      const active = await q('tessera_signing_key_active == 1');
      expect(active.map((s) => s.metric.kid)).toEqual([kids.active]);
      const statuses = await q('tessera_signing_key_status == 1');
      expect(Object.fromEntries(statuses.map((s) => [s.metric.kid, s.metric.status]))).toEqual({
        [kids.active]: 'active',
        [kids.retiring]: 'retiring',
      });
      const ages = Object.fromEntries(
        (await q('tessera_signing_key_age_seconds')).map((s) => [s.metric.kid, s.value]),
      );
      expect(ages[kids.active]).toBeGreaterThanOrEqual(0);
      expect(ages[kids.active]).toBeLessThan(600);
      expect(ages[kids.retiring]).toBeGreaterThan(10 * 86400 - 600);
      expect(ages[kids.retiring]).toBeLessThan(10 * 86400 + 600);

      const issued = await eventually(async () => {
        const r = await q(
          `tessera_tokens_issued_total{grant="client_credentials",alg="${ring.alg}"}`,
        );
        return r.length === 1 && r[0]!.value >= 1 ? r : undefined;
      });
      expect(issued[0]!.metric.alg).toBe(ring.alg);
      expect((await q('process_resident_memory_bytes'))[0]?.value).toBeGreaterThan(1e6);
      // No tenant, user or client label anywhere in Tessera's own series.
      const labels = await q(
        'count by (tenant, user, client, client_id, sub) ({__name__=~"tessera_.*"})',
      );
      expect(labels.every((l) => Object.keys(l.metric).length === 0)).toBe(true);
    }, 60_000);

    it('every Grafana dashboard query runs and names only series Tessera exposes', async () => {
      const dashboard = JSON.parse(
        readFileSync(path.join(root, 'docker/grafana/dashboards/tessera.json'), 'utf8'),
      ) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
      const exposition = (await get(`${app.url}/metrics`)).body;
      const exposed = new Set(
        exposition
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
      );
      const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
      expect(exprs.length).toBeGreaterThanOrEqual(8);
      for (const expr of exprs) {
        await prom.query(expr.replaceAll('$__rate_interval', '1m'));
        const names = expr.match(/\b(tessera|nodejs|process)_[a-z0-9_]+/g) ?? [];
        for (const n of names) expect(exposed.has(n) ? n : `${n} (not exposed)`).toBe(n);
      }
    });
  });

  it('every event counter goes up: issued, sign duration, denylist hit/miss, revocations, reuse', async () => {
    const ring = app.app.get<KeyRing>(DI.KeyRing);
    const scrape = async () => (await get(`${app.url}/metrics`)).body;
    const before = await scrape();
    const delta = (after: string, name: string, labels = '') =>
      sample(after, name, labels) - sample(before, name, labels);
    const bearer = (at: string) =>
      fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${at}` } });

    const cc = await postForm(
      `${app.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client) },
    );
    const at = cc.json.access_token as string;
    expect((await bearer(at)).status).toBe(200);
    expect(
      (await postForm(`${app.url}/oauth/revoke`, { token: at }, { authorization: basic(client) }))
        .status,
    ).toBe(200);
    expect((await bearer(at)).status).toBe(401);

    const pair = await app.app.get<IssueTokenUseCase>(DI.IssueToken).execute({
      tenantId: client.tenantId,
      subject: 'metrics-user',
      clientId: client.clientId,
      scopes: ['read'],
      grant: 'cli',
      withRefresh: true,
    });
    const refresh = () =>
      postForm(
        `${app.url}/oauth/token`,
        { grant_type: 'refresh_token', refresh_token: pair.refresh_token! },
        { authorization: basic(client) },
      );
    expect((await refresh()).status).toBe(200);
    // Replays inside the grace window get the successor; the first one after it is a reuse.
    await eventually(async () => ((await refresh()).status === 400 ? true : undefined));

    const after = await scrape();
    const alg = `alg="${ring.alg}"`;
    expect(delta(after, 'tessera_tokens_issued_total', `{grant="client_credentials",${alg}}`)).toBe(
      1,
    );
    expect(delta(after, 'tessera_tokens_issued_total', `{grant="cli",${alg}}`)).toBe(1);
    expect(
      delta(after, 'tessera_tokens_issued_total', `{grant="refresh_token",${alg}}`),
    ).toBeGreaterThanOrEqual(1);
    expect(
      delta(after, 'tessera_token_sign_duration_seconds_count', `{${alg}}`),
    ).toBeGreaterThanOrEqual(3);
    expect(delta(after, 'tessera_denylist_cache_total', '{result="miss"}')).toBeGreaterThanOrEqual(
      1,
    );
    expect(delta(after, 'tessera_denylist_cache_total', '{result="hit"}')).toBe(1);
    expect(delta(after, 'tessera_revocations_total', '{kind="access_token"}')).toBe(1);
    expect(delta(after, 'tessera_revocations_total', '{kind="family"}')).toBe(1);
    expect(delta(after, 'tessera_refresh_reuse_detected_total')).toBe(1);
  });

  it('GET /docs serves OpenAPI; the OAuth endpoints are form-encoded', async () => {
    expect((await get(`${app.url}/docs`)).status).toBe(200);
    const doc = JSON.parse((await get(`${app.url}/docs/openapi.json`)).body) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: object } }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/oauth/token', '/oauth/revoke', '/oauth/introspect']) {
      expect(Object.keys(doc.paths[p]!.post!.requestBody!.content)).toEqual([
        'application/x-www-form-urlencoded',
      ]);
    }
    expect(doc.paths['/.well-known/jwks.json']).toBeDefined();
    expect(doc.paths['/metrics']).toBeUndefined();
  });

  it('docker/prometheus.yml passes promtool check config', () => {
    const r = promtoolCheck(['config', path.join(root, 'docker/prometheus.yml')]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it('promtool check metrics passes on the exposition', async () => {
    await get(`${app.url}/.well-known/jwks.json`);
    const res = await get(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const { status, output } = promtoolCheckMetrics(res.body);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('an address outside METRICS_ALLOW_CIDRS gets 403 (127.0.0.2 vs 127.0.0.1/32)', async () => {
    const strict = await startTestApp(db, { METRICS_ALLOW_CIDRS: '127.0.0.1/32,::1/128' });
    try {
      const denied = await get(`${strict.url}/metrics`, { localAddress: '127.0.0.2' });
      expect(denied.status).toBe(403);
      expect(JSON.parse(denied.body)).toMatchObject({ error: 'access_denied' });
      expect(denied.body).not.toContain('tessera_');
      expect((await get(`${strict.url}/metrics`, { localAddress: '127.0.0.1' })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('without TRUST_PROXY a forged X-Forwarded-For changes nothing, either way', async () => {
    const strict = await startTestApp(db, { METRICS_ALLOW_CIDRS: '127.0.0.1/32' });
    try {
      const forgedIn = await get(`${strict.url}/metrics`, {
        localAddress: '127.0.0.2',
        headers: { 'X-Forwarded-For': '127.0.0.1' },
      });
      expect(forgedIn.status).toBe(403);
      const forgedOut = await get(`${strict.url}/metrics`, {
        localAddress: '127.0.0.1',
        headers: { 'X-Forwarded-For': '203.0.113.9' },
      });
      expect(forgedOut.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('with TRUST_PROXY=loopback the forwarded client address is the one checked', async () => {
    const proxied = await startTestApp(db, { TRUST_PROXY: 'loopback' });
    try {
      const outside = await get(`${proxied.url}/metrics`, {
        headers: { 'X-Forwarded-For': '203.0.113.9' },
      });
      expect(outside.status).toBe(403);
      const inside = await get(`${proxied.url}/metrics`, {
        headers: { 'X-Forwarded-For': '127.0.0.9' },
      });
      expect(inside.status).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it('METRICS_PORT serves /metrics on its own listener and not on the public port', async () => {
    const port = await freePort();
    const split = await startTestApp(db, {
      METRICS_PORT: String(port),
      HOST: '127.0.0.1',
      METRICS_ALLOW_CIDRS: '127.0.0.1/32',
    });
    try {
      expect((await get(`${split.url}/metrics`)).status).toBe(404);
      const own = await get(`http://127.0.0.1:${port}/metrics`);
      expect(own.status).toBe(200);
      expect(own.body).toContain('tessera_http_requests_total');
      const denied = await get(`http://127.0.0.1:${port}/metrics`, { localAddress: '127.0.0.2' });
      expect(denied.status).toBe(403);
    } finally {
      await split.close();
    }
  });
});
