import { ensureBuilt } from '@tessera/testing/build';
import { MIGRATIONS } from '../../migrations';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { spawnCli, type CliResult as Run } from '@tessera/testing/cli-process';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

/** The built CLI against a test database: one JSON object on stdout, or one line on stderr. */
describe('RLS belt › CLI (migrate, tenant)', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> =>
    spawnCli({ ...env, ...extra }, args);

  /** Exactly one JSON object on stdout, nothing on stderr, exit 0. */
  const json = (r: Run): Record<string, unknown> => {
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  /** Non-zero exit, nothing on stdout, one line on stderr matching `text`. */
  const oneLineError = (r: Run, text: RegExp) => {
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(text);
  };

  /** The tenants rows with these slugs, read as the owner (the truth, not the CLI's view). */
  const tenantRows = async (...slugs: string[]) => {
    const c = new Client({ connectionString: db.ownerUrl });
    await c.connect();
    try {
      await c.query(`SELECT set_config('app.cross_tenant', 'on', false)`);
      return (
        await c.query(
          `SELECT slug, name, status FROM tessera.tenants WHERE slug = ANY($1) ORDER BY slug`,
          [slugs],
        )
      ).rows;
    } finally {
      await c.end();
    }
  };
  const slug = (prefix = 'acme') => `${prefix}-${randomBytes(4).toString('hex')}`;
  const create = async (name = 'Acme Corp') => {
    const s = slug();
    json(await cli(['tenant', 'create', s, '--name', name, '--json']));
    return s;
  };

  beforeAll(async () => {
    ensureBuilt();
    // Migrated here: the tenant tests need no earlier test (the migrate test has its own).
    db = await createTestDatabase();
    env = envFor(db);
  }, 120_000);
  afterAll(() => db?.drop());

  const envFor = (d: TestDatabase): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    ISSUER: 'https://tessera.example',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-')),
    DATABASE_URL: d.appUrl,
    DATABASE_ADMIN_URL: d.ownerUrl,
  });

  it('migrate --json applies every migration once, then none', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const freshEnv = envFor(fresh);
      const first = json(await cli(['migrate', '--json'], freshEnv));
      expect(first).toEqual({ applied: MIGRATIONS.map((M) => new M().name) });
      expect(json(await cli(['migrate', '--json'], freshEnv))).toEqual({ applied: [] });
    } finally {
      await fresh.drop();
    }
  }, 60_000);

  it('migrate without DATABASE_ADMIN_URL is a one-line error', async () => {
    oneLineError(
      await cli(['migrate', '--json'], { DATABASE_ADMIN_URL: undefined }),
      /DATABASE_ADMIN_URL is required/,
    );
  });

  it('tenant create <slug> --name N --json prints {"id","slug"}', async () => {
    const s = slug();
    const out = json(await cli(['tenant', 'create', s, '--name', 'Acme Corp', '--json']));
    expect(Object.keys(out).sort()).toEqual(['id', 'slug']);
    expect(out).toMatchObject({ slug: s });
    expect(out.id).toMatch(/^org_[0-9a-z]{26}$/);
    expect(await tenantRows(s)).toEqual([{ slug: s, name: 'Acme Corp', status: 'active' }]);
  }, 30_000);

  it.each([
    ['a duplicate slug', (taken: string) => [taken], /already exists/],
    ['an invalid slug', () => ['Not_A_Slug'], /tenant slug is/],
    ['an over-long slug', () => ['a'.repeat(64)], /tenant slug is/],
    ['an over-long name', () => ['longname', '--name', 'n'.repeat(201)], /tenant name is/],
  ])(
    'tenant create with %s: one-line error, non-zero exit, nothing written',
    async (_w, argsFor, text) => {
      const taken = await create();
      const args = argsFor(taken);
      const before = await tenantRows(taken, args[0]!);
      oneLineError(await cli(['tenant', 'create', ...args, '--json']), text);
      expect(await tenantRows(taken, args[0]!)).toEqual(before);
    },
    30_000,
  );

  it('tenant list --json lists every tenant', async () => {
    const [s1, s2] = [await create('First'), await create('Second')];
    const out = json(await cli(['tenant', 'list', '--json']));
    expect(out.tenants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ slug: s1, name: 'First', status: 'active' }),
        expect.objectContaining({ slug: s2, name: 'Second', status: 'active' }),
      ]),
    );
  }, 30_000);

  it('tenant disable <slug> disables it; an unknown tenant is a one-line error', async () => {
    const s = await create();
    oneLineError(await cli(['tenant', 'disable', 'nobody', '--json']), /unknown tenant/);
    const out = json(await cli(['tenant', 'disable', s, '--json']));
    expect(out).toMatchObject({ slug: s, status: 'disabled' });
    expect(await tenantRows(s)).toEqual([{ slug: s, name: 'Acme Corp', status: 'disabled' }]);
  }, 30_000);

  it('without --json a command prints one readable line', async () => {
    const s = slug('globex');
    const r = await cli(['tenant', 'create', s]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^created tenant ${s} \\(org_[0-9a-z]{26}\\)\n$`));
  }, 30_000);
});
