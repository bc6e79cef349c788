import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { newId } from '@tessera/domain/shared/ids';
import type { DenylistChannel } from '@tessera/infrastructure/denylist/denylist-channel';
import { PostgresDenylist } from '@tessera/infrastructure/denylist/postgres-denylist.adapter';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

/** A channel that delivers nothing: everything a node learns here comes from the resync. */
const silent: DenylistChannel = {
  inTransaction: async () => undefined,
  afterCommit: async () => undefined,
  subscribe: async () => undefined,
  close: async () => undefined,
};

/** Counts the denylist rows the resync reads, to show it does not read them twice. */
class CountingTransactions extends TenantTransactions {
  rowsRead = 0;
  override crossTenant<T>(purpose: string, fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return super.crossTenant(purpose, (em) =>
      fn(
        new Proxy(em, {
          get: (target, key) =>
            key !== 'query'
              ? Reflect.get(target, key)
              : async (sql: string, params?: unknown[]) => {
                  const rows: unknown = await target.query(sql, params);
                  if (/SELECT jti, expires_at/.test(sql) && Array.isArray(rows))
                    this.rowsRead += rows.length;
                  return rows;
                },
        }),
      ),
    );
  }
}

let db: TestDatabase;
let ds: DataSource;
let tenant: string;
let other: string;
const opened: Client[] = [];

async function appClient(): Promise<Client> {
  const c = new Client({ connectionString: db.appUrl });
  await c.connect();
  opened.push(c);
  return c;
}

/** Inserts a denial in a transaction left open; returns its commit. */
async function openDenial(jti: string, tenantId = tenant): Promise<() => Promise<void>> {
  const c = await appClient();
  await c.query('BEGIN');
  await c.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
  await c.query(
    `INSERT INTO tessera.token_denylist (jti, tenant_id, expires_at, reason)
     VALUES ($1, $2, now() + interval '1 hour', 'test')`,
    [jti, tenantId],
  );
  return async () => void (await c.query('COMMIT'));
}

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource({ url: db.appUrl, poolSize: 4 });
  await ds.initialize();
  tenant = newId('tenant');
  other = newId('tenant');
  for (const id of [tenant, other])
    await new TenantTransactions(ds).crossTenant('test', (em) =>
      em.query(`INSERT INTO tenants (id, slug, name) VALUES ($1, $2, 'Denylist')`, [
        id,
        `d-${id.slice(-8)}`,
      ]),
    );
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
  await ds?.destroy();
  await db?.drop();
});

describe('denylist › incremental resync', () => {
  it('a row that commits late (lower seq, committed after a higher one was read) is still picked up', async () => {
    let now = Date.now();
    const tx = new CountingTransactions(ds);
    const node = new PostgresDenylist({
      tx,
      channel: silent,
      syncIntervalMs: 3_600_000, // syncs only when the test asks
      leewayMs: 30_000,
      clock: { now: () => new Date(now) },
    });
    await node.start();
    try {
      const late = newId('token');
      const early = newId('token');
      // Two tenants: one tenant's revocations serialise on its feed lock (its commit order is
      // its seq order), so a late commit with a lower seq happens between tenants.
      const commitLate = await openDenial(late); // takes the lower seq, stays open
      const commitEarly = await openDenial(early, other);
      await commitEarly();
      await node.sync();
      expect(node.isDenied(early)).toBe(true);
      expect(node.isDenied(late)).toBe(false);
      // Long after: no re-read window could still cover the late row.
      now += 10 * 60_000;
      await node.sync();
      await node.sync();
      await commitLate();
      await node.sync();
      expect(node.isDenied(late)).toBe(true);
    } finally {
      await node.stop();
    }
  });

  it('each row is read once: a sync after an idle one reads nothing', async () => {
    const tx = new CountingTransactions(ds);
    const node = new PostgresDenylist({
      tx,
      channel: silent,
      syncIntervalMs: 3_600_000,
      leewayMs: 30_000,
    });
    await node.start();
    try {
      const jtis = Array.from({ length: 20 }, () => newId('token'));
      for (const jti of jtis) await (await openDenial(jti))();
      tx.rowsRead = 0;
      await node.sync();
      expect(tx.rowsRead).toBe(20);
      expect(jtis.every((j) => node.isDenied(j))).toBe(true);
      await node.sync();
      await node.sync();
      expect(tx.rowsRead).toBe(20);
    } finally {
      await node.stop();
    }
  });
});
