import { randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '@tessera/domain/shared/ids';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { TenantContext } from '@tessera/infrastructure/tenancy/tenant-context';
import { openAppDataSource } from '@tessera/testing/test-data-source';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

/**
 * The RLS belt: Postgres itself keeps tenants apart, whatever the query says. Everything runs
 * as the app role Tessera connects as; the fixtures are written on the cross-tenant path.
 */
const TENANT_TABLES = [
  'memberships',
  'clients',
  'api_tokens',
  'token_denylist',
  'audit_events',
  'resource_servers',
  'client_resources',
  'revocation_events',
  'revocation_streams',
  'trusted_issuers',
  'tenant_signing_keys',
  'idempotency_keys',
  'exchange_mappings',
];
const RLS_DENIED = /row-level security|violates row-level security policy/;

interface Fixture {
  tenant: string;
  user: string;
  client: string;
  token: string;
  resourceServer: string;
  issuer: string;
}

describe('RLS belt › isolation', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let tx: TenantTransactions;
  let A: Fixture;
  let B: Fixture;

  async function seed(em: EntityManager, slug: string): Promise<Fixture> {
    const f = {
      tenant: newId('tenant'),
      user: newId('user'),
      client: newId('client'),
      token: newId('token'),
      resourceServer: newId('resourceServer'),
      issuer: newId('trustedIssuer'),
    };
    await em.query(`INSERT INTO tessera.tenants (id, slug, name) VALUES ($1, $2, $2)`, [
      f.tenant,
      slug,
    ]);
    await em.query(
      `INSERT INTO tessera.users (id, issuer, subject) VALUES ($1, 'https://idp', $2)`,
      [f.user, slug],
    );
    await em.query(
      `INSERT INTO tessera.memberships (id, tenant_id, user_id, role) VALUES ($1, $2, $3, 'owner')`,
      [newId('membership'), f.tenant, f.user],
    );
    await em.query(
      `INSERT INTO tessera.clients (id, tenant_id, name, secret_hash, grants, scopes)
       VALUES ($1, $2, $3, $4, '{client_credentials}', '{read}')`,
      [f.client, f.tenant, `${slug} client`, randomBytes(32)],
    );
    await em.query(
      `INSERT INTO tessera.api_tokens (jti, tenant_id, kind, subject, client_id, user_id, scopes,
                                       created_via, expires_at)
       VALUES ($1, $2, 'access', $3, $4, $5, '{read}', 'test', now() + interval '1 hour')`,
      [f.token, f.tenant, f.user, f.client, f.user],
    );
    await em.query(
      `INSERT INTO tessera.token_denylist (jti, tenant_id, expires_at, reason)
       VALUES ($1, $2, now() + interval '1 hour', 'revoked')`,
      [f.token, f.tenant],
    );
    await em.query(
      `INSERT INTO tessera.audit_events (id, tenant_id, actor, action, target)
       VALUES ($1, $2, 'test', 'tenant.seeded', $2)`,
      [newId('event'), f.tenant],
    );
    await em.query(
      `INSERT INTO tessera.resource_servers (id, tenant_id, identifier, scopes, client_id)
       VALUES ($1, $2, $3, '{read}', $4)`,
      [f.resourceServer, f.tenant, `https://${slug}.test/api`, f.client],
    );
    await em.query(
      `INSERT INTO tessera.client_resources (tenant_id, client_id, resource_server_id)
       VALUES ($1, $2, $3)`,
      [f.tenant, f.client, f.resourceServer],
    );
    await em.query(
      `INSERT INTO tessera.revocation_events (tenant_id, kind, target, expires_at)
       VALUES ($1, 'token-revoked', $2, now() + interval '1 hour')`,
      [f.tenant, f.token],
    );
    await em.query(
      `INSERT INTO tessera.revocation_streams (tenant_id, resource_server_id, stream)
       VALUES ($1, $2, 'default')`,
      [f.tenant, f.resourceServer],
    );
    await em.query(
      `INSERT INTO tessera.trusted_issuers (id, tenant_id, issuer, jwks_uri, audience)
       VALUES ($1, $2, $3, $3 || '/jwks', 'tessera')`,
      [f.issuer, f.tenant, `https://${slug}.issuer.example`],
    );
    await em.query(
      `INSERT INTO tessera.tenant_signing_keys (tenant_id, kid, alg, public_jwk, private_key_enc, status)
       VALUES ($1, $2, 'ES256', '{}'::jsonb, $3, 'active')`,
      [f.tenant, `kid-${slug}`, randomBytes(64)],
    );
    await em.query(
      `INSERT INTO tessera.idempotency_keys (tenant_id, actor, key, request_hash, status, response)
       VALUES ($1, $2, 'retry-1', 'h', 201, '{}')`,
      [f.tenant, f.client],
    );
    await em.query(
      `INSERT INTO tessera.exchange_mappings (id, tenant_id, trusted_issuer_id, match, scopes)
       VALUES ($1, $2, $3, '{"sub": "*"}', '{read}')`,
      [newId('exchangeMapping'), f.tenant, f.issuer],
    );
    return f;
  }

  /** Reads B's rows on the cross-tenant path, to prove a tenant-scoped statement left them be. */
  const snapshot = (tenant: string) =>
    tx.crossTenant('test snapshot', async (em) => {
      const out: Record<string, unknown[]> = {};
      for (const t of [...TENANT_TABLES, 'tenants']) {
        const col = t === 'tenants' ? 'id' : 'tenant_id';
        out[t] = await em.query(`SELECT * FROM tessera.${t} WHERE ${col} = $1 ORDER BY 1`, [
          tenant,
        ]);
      }
      return out;
    });

  const asTenant = <T>(tenant: string, fn: (em: EntityManager) => Promise<T>) => tx.run(fn, tenant);

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ ds, tx } = await openAppDataSource(db, 2));
    [A, B] = await tx.crossTenant('test fixtures', async (em) => [
      await seed(em, 'tenant-a'),
      await seed(em, 'tenant-b'),
    ]);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  describe('no tenant set', () => {
    it.each([...TENANT_TABLES, 'tenants', 'users'])('SELECT from %s returns 0 rows', async (t) => {
      expect(await ds.query(`SELECT * FROM tessera.${t}`)).toEqual([]);
      const inTx = await ds.transaction((em) => em.query(`SELECT * FROM tessera.${t}`));
      expect(inTx).toEqual([]);
    });

    it('an empty app.tenant_id matches nothing either (NULLIF fails closed)', async () => {
      const rows = await ds.transaction(async (em) => {
        await em.query(`SELECT set_config('app.tenant_id', '', true)`);
        return em.query(`SELECT * FROM tessera.clients`);
      });
      expect(rows).toEqual([]);
    });

    it('INSERT fails', async () => {
      await expect(
        ds.query(
          `INSERT INTO tessera.audit_events (id, tenant_id, actor, action) VALUES ($1, $2, 'x', 'y')`,
          [newId('event'), A.tenant],
        ),
      ).rejects.toThrow(RLS_DENIED);
      await expect(
        ds.query(`INSERT INTO tessera.tenants (id, slug, name) VALUES ($1, 'sneaky', 'x')`, [
          newId('tenant'),
        ]),
      ).rejects.toThrow(RLS_DENIED);
    });

    it('UPDATE and DELETE touch nothing', async () => {
      const before = await snapshot(A.tenant);
      await ds.query(`UPDATE tessera.clients SET name = 'hijacked'`);
      await ds.query(`DELETE FROM tessera.token_denylist`);
      await ds.query(`UPDATE tessera.tenants SET status = 'disabled'`);
      expect(await snapshot(A.tenant)).toEqual(before);
    });
  });

  describe("tenant A against B's rows", () => {
    it.each(TENANT_TABLES)(
      'A reads only its own rows of %s, even asking for B by id',
      async (t) => {
        const rows = await asTenant(A.tenant, (em) =>
          em.query(`SELECT tenant_id FROM tessera.${t}`),
        );
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((r: { tenant_id: string }) => r.tenant_id === A.tenant)).toBe(true);
        const asked = await asTenant(A.tenant, (em) =>
          em.query(`SELECT * FROM tessera.${t} WHERE tenant_id = $1`, [B.tenant]),
        );
        expect(asked).toEqual([]);
      },
    );

    it('A sees its own tenant row and its own members, not B or B-only users', async () => {
      const [tenants, users] = await asTenant(A.tenant, async (em) => [
        await em.query(`SELECT id FROM tessera.tenants`),
        await em.query(`SELECT id FROM tessera.users`),
      ]);
      expect(tenants).toEqual([{ id: A.tenant }]);
      expect(users).toEqual([{ id: A.user }]);
    });

    it("A cannot update or delete B's rows", async () => {
      const before = await snapshot(B.tenant);
      const counts = await asTenant(A.tenant, async (em) => {
        const r = [
          await em.query(`UPDATE tessera.clients SET name = 'hijacked' WHERE id = $1`, [B.client]),
          await em.query(`UPDATE tessera.tenants SET status = 'disabled' WHERE id = $1`, [
            B.tenant,
          ]),
          await em.query(`UPDATE tessera.api_tokens SET revoked_at = now() WHERE jti = $1`, [
            B.token,
          ]),
          await em.query(`DELETE FROM tessera.token_denylist WHERE jti = $1`, [B.token]),
          await em.query(`DELETE FROM tessera.memberships WHERE tenant_id = $1`, [B.tenant]),
          await em.query(`DELETE FROM tessera.revocation_events WHERE target = $1`, [B.token]),
          await em.query(
            `UPDATE tessera.revocation_streams SET acked_through = 1000000 WHERE tenant_id = $1`,
            [B.tenant],
          ),
          await em.query(`UPDATE tessera.resource_servers SET status = 'disabled' WHERE id = $1`, [
            B.resourceServer,
          ]),
          await em.query(
            `UPDATE tessera.trusted_issuers SET jwks_uri = 'https://evil.example/jwks' WHERE id = $1`,
            [B.issuer],
          ),
          await em.query(`DELETE FROM tessera.trusted_issuers WHERE id = $1`, [B.issuer]),
          await em.query(
            `UPDATE tessera.tenant_signing_keys SET status = 'retired', retired_at = now() WHERE tenant_id = $1`,
            [B.tenant],
          ),
        ];
        return r.map((x: [unknown, number]) => x[1]);
      });
      expect(counts).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(await snapshot(B.tenant)).toEqual(before);
    });

    it('UPDATE … SET tenant_id = B on its own row fails', async () => {
      await expect(
        asTenant(A.tenant, (em) =>
          em.query(`UPDATE tessera.clients SET tenant_id = $1 WHERE id = $2`, [B.tenant, A.client]),
        ),
      ).rejects.toThrow(RLS_DENIED);
      await expect(
        asTenant(A.tenant, (em) =>
          em.query(`UPDATE tessera.tenants SET id = $1 WHERE id = $2`, [newId('tenant'), A.tenant]),
        ),
      ).rejects.toThrow(RLS_DENIED);
    });

    it('INSERT with tenant_id = B fails', async () => {
      await expect(
        asTenant(A.tenant, (em) =>
          em.query(
            `INSERT INTO tessera.audit_events (id, tenant_id, actor, action) VALUES ($1, $2, 'a', 'b')`,
            [newId('event'), B.tenant],
          ),
        ),
      ).rejects.toThrow(RLS_DENIED);
    });

    it("A's rows cannot point at B's resource server or stream state (composite keys)", async () => {
      await expect(
        asTenant(A.tenant, (em) =>
          em.query(
            `INSERT INTO tessera.client_resources (tenant_id, client_id, resource_server_id)
             VALUES ($1, $2, $3)`,
            [A.tenant, A.client, B.resourceServer],
          ),
        ),
      ).rejects.toThrow(/foreign key/);
      await expect(
        asTenant(A.tenant, (em) =>
          em.query(
            `INSERT INTO tessera.revocation_streams (tenant_id, resource_server_id, stream)
             VALUES ($1, $2, 'sneaky')`,
            [A.tenant, B.resourceServer],
          ),
        ),
      ).rejects.toThrow(/foreign key/);
    });

    it("INSERT … ON CONFLICT DO UPDATE on B's key does not touch B's row", async () => {
      const before = await snapshot(B.tenant);
      const attempts: [string, unknown[]][] = [
        [
          `INSERT INTO tessera.token_denylist (jti, tenant_id, expires_at, reason)
           VALUES ($1, $2, now() + interval '1 year', 'mine now')
           ON CONFLICT (jti) DO UPDATE SET expires_at = EXCLUDED.expires_at, reason = EXCLUDED.reason`,
          [B.token, A.tenant],
        ],
        [
          `INSERT INTO tessera.clients (id, tenant_id, name, secret_hash) VALUES ($1, $2, 'mine now', $3)
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, secret_hash = EXCLUDED.secret_hash`,
          [B.client, A.tenant, Buffer.alloc(32)],
        ],
        [
          `INSERT INTO tessera.token_denylist (jti, tenant_id, expires_at, reason)
           VALUES ($1, $2, now(), 'x') ON CONFLICT (jti) DO NOTHING`,
          [B.token, A.tenant],
        ],
      ];
      for (const [sql, params] of attempts) {
        const outcome = await asTenant(A.tenant, (em) => em.query(sql, params)).then(
          () => 'no-op',
          (e: Error) => e.message,
        );
        expect(outcome).toMatch(/^no-op$|row-level security/);
      }
      expect(await snapshot(B.tenant)).toEqual(before);
    });

    it("a child row referencing B's parent fails", async () => {
      // api_tokens (tenant_id, user_id) → memberships (tenant_id, user_id): B's member cannot
      // be named by A's token, though the foreign key check itself ignores RLS.
      await expect(
        asTenant(A.tenant, (em) =>
          em.query(
            `INSERT INTO tessera.api_tokens (jti, tenant_id, kind, subject, client_id, user_id,
                                             created_via, expires_at)
             VALUES ($1, $2, 'access', 's', 'c', $3, 'test', now())`,
            [newId('token'), A.tenant, B.user],
          ),
        ),
      ).rejects.toThrow(/foreign key constraint/);
      await expect(
        asTenant(A.tenant, (em) =>
          em.query(
            `INSERT INTO tessera.memberships (id, tenant_id, user_id, role) VALUES ($1, $2, $3, 'owner')`,
            [newId('membership'), B.tenant, A.user],
          ),
        ),
      ).rejects.toThrow(RLS_DENIED);
    });

    it('a session-level SET app.cross_tenant on a pooled connection does not widen tenant-scoped work', async () => {
      const one = createDataSource({ url: db.appUrl, poolSize: 1 });
      await one.initialize();
      try {
        await one.query(`SET app.cross_tenant = 'on'`);
        const rows = await new TenantTransactions(one).run(
          (em) => em.query(`SELECT tenant_id FROM tessera.clients`),
          A.tenant,
        );
        expect(rows).toEqual([{ tenant_id: A.tenant }]);
      } finally {
        await one.destroy();
      }
    });
  });

  describe('pool leak (pool size 1)', () => {
    let one: DataSource;
    let oneTx: TenantTransactions;
    const noTenantView = async () => ({
      setting: (
        (await one.query(`SELECT current_setting('app.tenant_id', true) AS v`)) as { v: string }[]
      )[0]!.v,
      cross: (
        (await one.query(`SELECT current_setting('app.cross_tenant', true) AS v`)) as {
          v: string;
        }[]
      )[0]!.v,
      rows: await one.query(`SELECT * FROM tessera.clients`),
    });

    beforeAll(async () => {
      one = createDataSource({ url: db.appUrl, poolSize: 1 });
      await one.initialize();
      oneTx = new TenantTransactions(one);
    });
    afterAll(() => one?.destroy());

    it('a request for A, then a query with no tenant → 0 rows', async () => {
      const seen = await oneTx.run((em) => em.query(`SELECT * FROM tessera.clients`), A.tenant);
      expect(seen).toHaveLength(1);
      expect(await noTenantView()).toMatchObject({ setting: '', rows: [] });
    });

    it('an exception in the middle of A’s transaction → the next request has no tenant', async () => {
      await expect(
        oneTx.run(async (em) => {
          await em.query(`SELECT * FROM tessera.clients`);
          throw new Error('boom');
        }, A.tenant),
      ).rejects.toThrow('boom');
      expect(await noTenantView()).toMatchObject({ setting: '', rows: [] });
    });

    it('an SQL error in the middle of A’s transaction → the next request has no tenant', async () => {
      await expect(
        oneTx.run(async (em) => {
          await em.query(`SELECT * FROM tessera.clients`);
          await em.query(`SELECT 1/0`);
        }, A.tenant),
      ).rejects.toThrow(/division by zero/);
      expect(await noTenantView()).toMatchObject({ setting: '', rows: [] });
    });

    it('the cross-tenant path leaves nothing behind either', async () => {
      const all = await oneTx.crossTenant('test', (em) =>
        em.query(`SELECT * FROM tessera.clients`),
      );
      expect(all).toHaveLength(2);
      expect(await noTenantView()).toMatchObject({ setting: '', cross: '', rows: [] });
    });
  });

  it('1,000 interleaved A/B requests on a pool of 2: every row returned carries the right tenant', async () => {
    const two = createDataSource({ url: db.appUrl, poolSize: 2 });
    await two.initialize();
    const twoTx = new TenantTransactions(two);
    try {
      // Ten waves of 100 at once: each wave interleaves on the two connections, and no request
      // queues behind 999 others for longer than the pool's connect timeout on a busy machine.
      const one = (i: number) => {
        const want = i % 3 === 0 ? B : A;
        return TenantContext.run(want.tenant, () =>
          twoTx.run(async (em) => {
            const first = await em.query(`SELECT tenant_id FROM tessera.clients`);
            await new Promise((r) => setImmediate(r));
            const second = await em.query(
              `SELECT tenant_id FROM tessera.api_tokens UNION ALL SELECT tenant_id FROM tessera.token_denylist`,
            );
            return { want: want.tenant, rows: [...first, ...second] as { tenant_id: string }[] };
          }),
        );
      };
      const results: Awaited<ReturnType<typeof one>>[] = [];
      for (let wave = 0; wave < 10; wave++)
        results.push(
          ...(await Promise.all(Array.from({ length: 100 }, (_, i) => one(wave * 100 + i)))),
        );
      const wrong = results.filter(
        (r) => r.rows.length !== 3 || r.rows.some((row) => row.tenant_id !== r.want),
      );
      expect(wrong).toEqual([]);
      expect(results.filter((r) => r.want === B.tenant)).toHaveLength(334);
    } finally {
      await two.destroy();
    }
  });
});
