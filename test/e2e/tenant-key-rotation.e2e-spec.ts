import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { cliEnvFor, cliJson, seedClientViaCli } from '@tessera/testing/cli-process';
import { basic, postForm } from '@tessera/testing/oauth-fixtures';
import { freePort } from '@tessera/testing/redis-server';
import { startServerProcess, type ServerProcess } from '@tessera/testing/server-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

jest.setTimeout(300_000);

/*
 * Automatic rotation on a compressed schedule (seconds), two nodes as separate processes over
 * one database, under load. A verifier that caches each tenant JWKS for exactly its max-age and
 * never refetches on an unknown kid verifies every token either node issues (a successor is
 * published before it signs), and the nodes, racing every transition, create exactly one
 * successor each time.
 */
const INTERVAL_S = 4;
const env = {
  ISSUER_MODE: 'tenant',
  KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
  KEY_ROTATION_INTERVAL: `${INTERVAL_S}s`,
  KEY_ROTATION_CHECK_INTERVAL: '200ms',
  KEY_PUBLISH_DELAY: '2s',
  KEY_RELOAD_INTERVAL: '200ms',
  TENANT_JWKS_MAX_AGE: '1s',
  ACCESS_TOKEN_TTL: '3s',
  CLOCK_SKEW_LEEWAY: '1s',
  TENANT_KEY_ALG: 'ES256',
};
type Creds = { clientId: string; secret: string };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A strict verifier: the JWKS as fetched, kept for its Cache-Control max-age, never refetched early. */
function cachingVerifier(jwksUrl: () => string, issuer: string) {
  let cached: { until: number; set: ReturnType<typeof createLocalJWKSet> } | undefined;
  return async (token: string) => {
    if (!cached || Date.now() >= cached.until) {
      const res = await fetch(jwksUrl());
      const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1]);
      expect(maxAge).toBeGreaterThan(0);
      const set = createLocalJWKSet((await res.json()) as JSONWebKeySet);
      cached = { until: Date.now() + maxAge * 1000, set };
    }
    await jwtVerify(token, cached.set, { issuer });
  };
}

describe('tenant keys › automatic rotation, two nodes, under load', () => {
  let db: TestDatabase;
  let nodes: ServerProcess[];
  let cliEnv: Record<string, string | undefined>;
  let issuer: string;

  const cli = (...args: string[]) => cliJson(cliEnv, ...args);
  const tenantClient = (slug: string): Promise<Creds> =>
    seedClientViaCli(cliEnv, { slug, grants: ['client_credentials'], scopes: ['read'] });

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const first = await startServerProcess(db, { env: { ...env, ISSUER: issuer }, port });
    const second = await startServerProcess(db, { env: { ...env, ISSUER: issuer } });
    nodes = [first, second];
    cliEnv = cliEnvFor(db, first, { ...env, ISSUER: issuer });
  });
  afterAll(async () => {
    for (const n of nodes ?? []) await n.kill();
    await db?.drop();
  });

  it('successors published before they sign: 0 failed verifications; exactly one successor per transition; old keys retire', async () => {
    const tenants = [
      { slug: 'rot-a', creds: await tenantClient('rot-a') },
      { slug: 'rot-b', creds: await tenantClient('rot-b') },
    ];
    const started = Date.now();
    const runFor = INTERVAL_S * 3 * 1000 + 1500;
    const kids = new Map<string, Set<string>>(tenants.map((t) => [t.slug, new Set()]));
    let verified = 0;
    const failures: string[] = [];
    const worker = async (w: number) => {
      const t = tenants[w % 2]!;
      const verify = cachingVerifier(
        () => `${nodes[w % 2]!.url}/t/${t.slug}/.well-known/jwks.json`,
        `${issuer}/t/${t.slug}`,
      );
      for (let i = 0; Date.now() - started < runFor; i++) {
        const node = nodes[(w + i) % 2]!;
        const r = await postForm(
          `${node.url}/oauth/token`,
          { grant_type: 'client_credentials', scope: 'read' },
          { authorization: basic(t.creds) },
        );
        if (r.status !== 200) {
          failures.push(`token ${r.status} ${JSON.stringify(r.json)}`);
          continue;
        }
        const token = r.json.access_token as string;
        kids.get(t.slug)!.add(decodeProtectedHeader(token).kid!);
        try {
          await verify(token);
          verified++;
        } catch (e) {
          failures.push(`verify ${decodeProtectedHeader(token).kid}: ${(e as Error).message}`);
        }
        if (i % 10 === 0) {
          // Tessera itself, at the other node.
          const other = nodes[(w + i + 1) % 2]!;
          const intro = await postForm(
            `${other.url}/oauth/introspect`,
            { token },
            { authorization: basic(t.creds) },
          );
          if (intro.json.active !== true) failures.push(`introspect at the other node: inactive`);
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    expect(failures).toEqual([]);
    expect(verified).toBeGreaterThan(20);
    // Rotations happened under the load: at least three signing keys per tenant were used.
    for (const t of tenants) expect(kids.get(t.slug)!.size).toBeGreaterThanOrEqual(3);

    // Exactly one successor per transition: no two keys of a tenant less than the interval apart.
    const pg = new Client({ connectionString: db.appUrl });
    await pg.connect();
    try {
      await pg.query('BEGIN');
      await pg.query(`SELECT set_config('app.cross_tenant', 'on', true)`);
      const { rows } = await pg.query<{ tenant_id: string; created_at: Date }>(
        `SELECT tenant_id, created_at FROM tessera.tenant_signing_keys ORDER BY tenant_id, created_at`,
      );
      await pg.query('COMMIT');
      const byTenant = new Map<string, number[]>();
      for (const r of rows) {
        byTenant.set(r.tenant_id, [...(byTenant.get(r.tenant_id) ?? []), r.created_at.getTime()]);
      }
      expect(byTenant.size).toBe(2);
      for (const times of byTenant.values()) {
        expect(times.length).toBeGreaterThanOrEqual(3);
        for (let i = 1; i < times.length; i++) {
          expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(INTERVAL_S * 1000 - 50);
        }
      }
    } finally {
      await pg.end();
    }

    // Metrics aggregate over tenants: counts, never a tenant or tenant kid as a label.
    const metrics = await Promise.all(
      nodes.map(async (n) => (await fetch(`${n.url}/metrics`)).text()),
    );
    const done = metrics
      .map((m) => Number(/tessera_key_rotations_total\{outcome="done"\} (\d+)/.exec(m)?.[1] ?? 0))
      .reduce((a, b) => a + b, 0);
    expect(done).toBeGreaterThanOrEqual(4);
    expect(metrics.join('\n')).toMatch(/tessera_tenant_signing_keys\{status="active"\} 2/);
    for (const t of tenants) expect(metrics.join('\n')).not.toContain(t.slug);
    for (const kid of [...kids.values()].flatMap((k) => [...k])) {
      expect(metrics.join('\n')).not.toContain(kid);
    }

    // The schedule as the CLI shows it: the first key retired once its last token expired.
    await (async () => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const list = (await cli('keys', 'list', '--tenant', 'rot-a')) as {
          keys: { status: string }[];
        };
        const statuses = list.keys.map((k) => k.status);
        if (statuses[0] === 'retired' && statuses.filter((s) => s === 'active').length === 1) {
          return;
        }
        if (Date.now() > deadline) throw new Error(`schedule: ${statuses.join(',')}`);
        await sleep(200);
      }
    })();
  });
});
