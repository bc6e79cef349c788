import { DataSource } from 'typeorm';
import { isDomainError } from '@tessera/domain/shared/domain-error';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { TenantTransactions } from '@tessera/infrastructure/postgres/tenant-transaction';
import { TypeOrmMembershipRepository } from '@tessera/infrastructure/postgres/repositories/typeorm-membership-repository.adapter';
import { TypeOrmTenantDirectory } from '@tessera/infrastructure/postgres/repositories/typeorm-tenant-directory.adapter';
import { TypeOrmUserRepository } from '@tessera/infrastructure/postgres/repositories/typeorm-user-repository.adapter';
import { TenantContext } from '@tessera/infrastructure/tenancy/tenant-context';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

/** The tenancy repositories, over the app role's pool, with bad input of every kind. */
describe('RLS belt › tenancy repositories', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let tenants: TypeOrmTenantDirectory;
  let users: TypeOrmUserRepository;
  let memberships: TypeOrmMembershipRepository;

  const count = async (table: string) =>
    Number(
      (
        (await ds.transaction(async (em) => {
          await em.query(`SELECT set_config('app.cross_tenant', 'on', true)`);
          return em.query(`SELECT count(*)::int AS n FROM tessera.${table}`);
        })) as { n: number }[]
      )[0]!.n,
    );

  const domainError = async (p: Promise<unknown>, code: string, text: RegExp) => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isDomainError(e)).toBe(true);
    expect(e).toMatchObject({ code });
    expect((e as Error).message).toMatch(text);
    expect((e as Error).message).not.toContain('\n');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource({ url: db.appUrl, poolSize: 2 });
    await ds.initialize();
    const tx = new TenantTransactions(ds);
    tenants = new TypeOrmTenantDirectory(tx);
    users = new TypeOrmUserRepository(tx);
    memberships = new TypeOrmMembershipRepository(tx);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('creates a tenant with an org_ id, finds it by slug and by id, lists it', async () => {
    const t = await tenants.create('acme', 'Acme Corp');
    expect(t).toMatchObject({ slug: 'acme', name: 'Acme Corp', status: 'active' });
    expect(t.id).toMatch(/^org_[0-9a-z]{26}$/);
    expect(await tenants.bySlug('acme')).toEqual(t);
    expect(await tenants.byId(t.id)).toEqual(t);
    expect((await tenants.list()).map((x) => x.slug)).toContain('acme');
    expect(await tenants.status(t.id)).toBe('active');
  });

  it.each([
    ['an upper-case slug', 'Acme'],
    ['a leading hyphen', '-acme'],
    ['a trailing hyphen', 'acme-'],
    ['a 64-character slug', 'a'.repeat(64)],
    ['an empty slug', ''],
    ['SQL', "x'; DROP TABLE tessera.tenants; --"],
  ])('refuses %s with invalid_request and writes nothing', async (_what, slug) => {
    const before = await count('tenants');
    await domainError(tenants.create(slug, 'Name'), 'invalid_request', /slug/);
    expect(await count('tenants')).toBe(before);
  });

  it.each([
    ['an over-long name', 'n'.repeat(201)],
    ['a blank name', '   '],
    ['a name with a newline', 'two\nlines'],
  ])('refuses %s with invalid_request and writes nothing', async (_what, name) => {
    const before = await count('tenants');
    await domainError(tenants.create('named', name), 'invalid_request', /name/);
    expect(await count('tenants')).toBe(before);
  });

  it('refuses a duplicate slug with conflict and leaves the first tenant as it was', async () => {
    const first = await tenants.create('dupe', 'First');
    await domainError(tenants.create('dupe', 'Second'), 'conflict', /already exists/);
    expect(await tenants.bySlug('dupe')).toEqual(first);
  });

  it('disables a tenant (idempotently); an unknown slug is a clear error', async () => {
    const t = await tenants.create('to-disable');
    expect((await tenants.disable('to-disable')).status).toBe('disabled');
    expect((await tenants.disable('to-disable')).status).toBe('disabled');
    expect(await tenants.status(t.id)).toBe('disabled');
    await domainError(tenants.disable('no-such-tenant'), 'invalid_request', /unknown tenant/);
  });

  it('unknown or malformed ids and slugs look up to nothing, without a query error', async () => {
    expect(await tenants.bySlug('nobody')).toBeUndefined();
    expect(await tenants.bySlug('../../etc')).toBeUndefined();
    expect(await tenants.byId('org_01h455vb4pex5vsknk084sn02q')).toBeUndefined();
    expect(await tenants.byId("' OR 1=1 --")).toBeUndefined();
    expect(await tenants.status('x'.repeat(10_000))).toBeUndefined();
  });

  it('upserts a user by (issuer, subject): same id, fresh email and name', async () => {
    const a = await users.upsert('https://idp.example', 'sub-1', 'a@example.com', 'Ann');
    const b = await users.upsert('https://idp.example', 'sub-1', 'ann@example.com', 'Ann B');
    expect(b).toEqual({ ...a, email: 'ann@example.com', name: 'Ann B' });
    const other = await users.upsert('https://other.example', 'sub-1', null, null);
    expect(other.id).not.toBe(a.id);
  });

  it('refuses an over-long subject or email; cuts an over-long display name', async () => {
    await domainError(
      users.upsert('https://idp.example', 's'.repeat(256), null, null),
      'invalid_request',
      /subject/,
    );
    await domainError(users.upsert('', 'sub', null, null), 'invalid_request', /issuer/);
    await domainError(
      users.upsert('https://idp.example', 'sub-2', `${'e'.repeat(320)}@x`, null),
      'invalid_request',
      /email/,
    );
    const u = await users.upsert('https://idp.example', 'sub-3', null, 'n'.repeat(1000));
    expect(u.name).toHaveLength(256);
  });

  it('sets, changes and reads memberships; a tenant sees only its members among users', async () => {
    const acme = (await tenants.bySlug('acme'))!;
    const globex = await tenants.create('globex');
    const ann = await users.upsert('https://idp.example', 'ann', null, 'Ann');
    const bob = await users.upsert('https://idp.example', 'bob', null, 'Bob');
    await memberships.set(acme.id, ann.id, 'member');
    expect(await memberships.set(acme.id, ann.id, 'admin')).toEqual({
      tenantId: acme.id,
      userId: ann.id,
      role: 'admin',
    });
    await memberships.set(globex.id, ann.id, 'viewer');
    await memberships.set(globex.id, bob.id, 'owner');
    expect(await memberships.get(acme.id, ann.id)).toMatchObject({ role: 'admin' });
    expect(await memberships.get(acme.id, bob.id)).toBeUndefined();
    expect((await memberships.forUser(ann.id)).map((m) => [m.tenantSlug, m.role])).toEqual([
      ['acme', 'admin'],
      ['globex', 'viewer'],
    ]);
    await TenantContext.run(acme.id, async () => {
      expect(await users.byId(ann.id)).toMatchObject({ name: 'Ann' });
      expect(await users.byId(bob.id)).toBeUndefined();
    });
  });

  it('refuses a membership for an unknown tenant, an unknown user or a bad role, writing nothing', async () => {
    const acme = (await tenants.bySlug('acme'))!;
    const ann = await users.upsert('https://idp.example', 'ann', null, 'Ann');
    const before = await count('memberships');
    await domainError(
      memberships.set('org_01h455vb4pex5vsknk084sn02q', ann.id, 'member'),
      'invalid_request',
      /unknown tenant/,
    );
    await domainError(
      memberships.set(acme.id, 'user_01h455vb4pex5vsknk084sn02q', 'member'),
      'invalid_request',
      /unknown user/,
    );
    await domainError(memberships.set(acme.id, ann.id, 'root' as never), 'invalid_request', /role/);
    expect(await count('memberships')).toBe(before);
  });
});
