import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { newId } from '@tessera/domain/shared/ids';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { KeyRotationSweep } from '@tessera/infrastructure/crypto/key-rotation-sweep';
import { listKeys, rotateKey } from '@tessera/infrastructure/crypto/key-rotation';
import { TenantKeys, type TenantKeyOptions } from '@tessera/infrastructure/crypto/tenant-keys';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

jest.setTimeout(60_000);

/*
 * Tenant keys against a real Postgres as the app role: two "nodes" (two pools) racing every
 * write create exactly one key; the private key is stored sealed; rings are cached in a bounded
 * LRU with only the active key's private part decrypted.
 */
const quiet = { log: () => undefined, warn: () => undefined };
const opts = (secret: string): TenantKeyOptions => ({
  secret,
  policy: { publishDelayMs: 2000, accessTtlMs: 3000, leewayMs: 1000 },
  platformIssuer: 'https://tessera.test',
  alg: 'ES256',
  rsaBits: 2048,
  cacheSize: 2,
  reloadIntervalMs: 200,
  accessTtlSeconds: 3,
  log: quiet,
});

describe('tenant keys › storage, races and cache', () => {
  let db: TestDatabase;
  let pools: DataSource[];
  let nodes: TenantKeys[];
  let txs: TenantTransactions[];
  const secret = randomBytes(32).toString('base64url');

  const tenant = async () => {
    const id = newId('tenant');
    await txs[0]!.crossTenant('test', (em) =>
      em.query(`INSERT INTO tessera.tenants (id, slug, name) VALUES ($1, $2, $2)`, [
        id,
        `k-${randomBytes(4).toString('hex')}`,
      ]),
    );
    return id;
  };
  const rows = (id: string) =>
    txs[0]!.run(
      (em) =>
        em.query(
          `SELECT kid, status, private_key_enc FROM tessera.tenant_signing_keys ORDER BY created_at`,
        ) as Promise<{ kid: string; status: string; private_key_enc: Buffer }[]>,
      id,
    );
  /** Moves a tenant's keys into the past (as the owner: the app role cannot rewrite times). */
  const age = async (id: string, seconds: number) => {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query(`SELECT set_config('app.cross_tenant', 'on', true)`);
      await owner.query(
        `UPDATE tessera.tenant_signing_keys SET created_at = created_at - make_interval(secs => $2),
                activated_at = activated_at - make_interval(secs => $2) WHERE tenant_id = $1`,
        [id, seconds],
      );
      await owner.query('COMMIT');
    } finally {
      await owner.end();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pools = [
      createDataSource({ url: db.appUrl, poolSize: 4 }),
      createDataSource({ url: db.appUrl, poolSize: 4 }),
    ];
    await Promise.all(pools.map((p) => p.initialize()));
    txs = pools.map((p) => new TenantTransactions(p));
    nodes = pools.map((p, i) => new TenantKeys(p, txs[i]!, undefined, opts(secret)));
  });
  afterAll(async () => {
    await Promise.all((pools ?? []).map((p) => p.destroy()));
    await db?.drop();
  });

  it('first key: two nodes creating at once make exactly one, active, sealed', async () => {
    const id = await tenant();
    const made = await Promise.all([...nodes, ...nodes].map((n) => n.ensureKey(id)));
    expect(made.filter(Boolean)).toHaveLength(1);
    const stored = await rows(id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.status).toBe('active');
    expect(stored[0]!.private_key_enc.toString('latin1')).not.toMatch(/PRIVATE KEY/);
  });

  it('rotation: two nodes racing the same due transition insert one successor (the lock re-checks)', async () => {
    const id = await tenant();
    await nodes[0]!.ensureKey(id);
    await age(id, 10);
    const attempts = await Promise.all(
      [...nodes, ...nodes].map(async (n) =>
        n.store(id).insert(await n.newKey('ES256'), { onlyIfNewestOlderThanMs: 5000 }),
      ),
    );
    expect(attempts.filter((a) => a !== undefined)).toHaveLength(1);
    expect((await rows(id)).map((r) => r.status)).toEqual(['active', 'staged']);
  });

  it('sweeps on two nodes at once: one successor for each due tenant, nothing for the rest', async () => {
    const due = await tenant();
    const fresh = await tenant();
    await nodes[0]!.ensureKey(due);
    await nodes[0]!.ensureKey(fresh);
    await age(due, 10);
    const sweeps = pools.map(
      (p, i) =>
        new KeyRotationSweep(p, txs[i]!, {
          intervalSeconds: 5,
          checkMs: 1000,
          tenants: nodes[i],
          log: quiet,
        }),
    );
    const results = await Promise.all([...sweeps, ...sweeps].map((s) => s.sweep()));
    expect(results.reduce((n, r) => n + (r?.created ?? 0), 0)).toBe(1);
    expect(await rows(due)).toHaveLength(2);
    expect(await rows(fresh)).toHaveLength(1);
    // Caught up: a later sweep finds nothing due.
    expect((await sweeps[1]!.sweep())?.created).toBe(0);
  });

  it('platform key set: two nodes sweeping stage one successor, of the newest key’s algorithm', async () => {
    const platform = {
      secret,
      policy: opts(secret).policy,
      accessTtlSeconds: 3,
      reloadIntervalMs: 200,
      log: quiet,
    };
    const first = await rotateKey(pools[0]!, platform, 'EdDSA');
    expect(first.status).toBe('active');
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await owner.query(
      `UPDATE tessera.signing_keys SET created_at = created_at - interval '10 seconds',
              activated_at = activated_at - interval '10 seconds'`,
    );
    await owner.end();
    const sweeps = pools.map(
      (p, i) =>
        new KeyRotationSweep(p, txs[i]!, {
          intervalSeconds: 5,
          checkMs: 1000,
          platform,
          log: quiet,
        }),
    );
    const results = await Promise.all([...sweeps, ...sweeps].map((s) => s.sweep()));
    expect(results.reduce((n, r) => n + (r?.created ?? 0), 0)).toBe(1);
    const keys = await listKeys(pools[1]!, platform);
    expect(keys.map((k) => [k.alg, k.status])).toEqual([
      ['EdDSA', 'active'],
      ['EdDSA', 'staged'],
    ]);
  });

  it('rings: bounded cache; only the active key has a private part', async () => {
    const ids = [await tenant(), await tenant(), await tenant()];
    const n = new TenantKeys(pools[0]!, txs[0]!, undefined, opts(secret));
    for (const id of ids) await n.ensureKey(id);
    await n.store(ids[0]!).insert(await n.newKey('ES256'));
    for (const id of ids) await n.forTenant(id);
    expect(n.size).toBe(2);
    const ring = (await n.forTenant(ids[0]!)).ring;
    const [active, staged] = ring.list();
    expect([active!.status, staged!.status]).toEqual(['active', 'staged']);
    expect(ring.verificationKey(active!.kid)!.privateKey).toBeDefined();
    expect(ring.verificationKey(staged!.kid)!.privateKey).toBeUndefined();
  });
});
