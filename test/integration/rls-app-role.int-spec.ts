import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig, TesseraConfigModule } from '@tessera/config';
import { DI } from '@tessera/application/di-tokens';
import { appRoleProblems } from '@tessera/infrastructure/postgres/app-role-check';
import { createDataSource } from '@tessera/infrastructure/postgres/data-source';
import { DatabaseModule } from '@tessera/infrastructure/postgres/database.module';
import { TenancyModule } from '@tessera/infrastructure/postgres/tenancy.module';
import { createTestDatabase, type TestDatabase } from '@tessera/testing/test-database';

/** Production refuses a database role that row-level security would not bind. */
describe('RLS belt › the app role at start', () => {
  let db: TestDatabase;
  const inTestDb = (url: string) => {
    const u = new URL(url);
    u.pathname = `/${db.name}`;
    return u.toString();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const problemsOf = async (url: string) => {
    const ds = createDataSource({ url, poolSize: 1 });
    await ds.initialize();
    try {
      return await appRoleProblems(ds);
    } finally {
      await ds.destroy();
    }
  };

  it('names a superuser, the schema owner, and passes the provisioned app role', async () => {
    expect(await problemsOf(inTestDb(db.superuserUrl))).toEqual([
      expect.stringMatching(/is \(or can become\) a superuser.*BYPASSRLS/),
    ]);
    expect(await problemsOf(db.ownerUrl)).toEqual([
      expect.stringMatching(/^role "tessera_owner" owns .*tessera schema/),
    ]);
    expect(await problemsOf(db.appUrl)).toEqual([]);
  });

  /** What the module logged at warn level (the logger is ours, so nothing is printed). */
  const warnings: string[] = [];
  const boot = (env: Record<string, string>) =>
    Test.createTestingModule({
      imports: [
        TesseraConfigModule.forRoot(
          loadConfig({ ISSUER: 'https://tessera.example', LOG_LEVEL: 'silent', ...env }),
        ),
        DatabaseModule,
        TenancyModule,
      ],
    })
      .setLogger({
        log() {},
        error() {},
        warn: (m: unknown) => void warnings.push(String(m)),
        debug() {},
        verbose() {},
        fatal() {},
      })
      .compile();

  it('NODE_ENV=production with DATABASE_URL as the superuser: start fails with one line', async () => {
    const err = await boot({
      NODE_ENV: 'production',
      DATABASE_URL: inTestDb(db.superuserUrl),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /^invalid configuration: DATABASE_URL connects as role "postgres" .*superuser/,
    );
    expect((err as Error).message).not.toContain('\n');
  });

  it('NODE_ENV=production with DATABASE_URL as the owner: start fails', async () => {
    await expect(boot({ NODE_ENV: 'production', DATABASE_URL: db.ownerUrl })).rejects.toThrow(
      /DATABASE_URL connects as role "tessera_owner" owns/,
    );
  });

  it('NODE_ENV=production as the app role starts and binds the tenancy repositories', async () => {
    const mod = await boot({ NODE_ENV: 'production', DATABASE_URL: db.appUrl });
    try {
      expect(mod.get(DI.Tenants)).toBeDefined();
      expect(mod.get(DI.DataSource)).toBe(mod.get(DataSource));
    } finally {
      await mod.close();
    }
  });

  it('outside production the same misconfiguration only warns', async () => {
    warnings.length = 0;
    const mod = await boot({ NODE_ENV: 'development', DATABASE_URL: db.ownerUrl });
    try {
      expect(mod.get(DI.Tenants)).toBeDefined();
      expect(warnings).toContainEqual(
        expect.stringMatching(
          /^DATABASE_URL connects as role "tessera_owner" owns .*docs\/tenancy/,
        ),
      );
    } finally {
      await mod.close();
    }
  });

  it('signing_keys: the app role may UPDATE only the schedule columns and may never DELETE', async () => {
    const c = new Client({ connectionString: db.appUrl });
    await c.connect();
    const attempt = (sql: string) =>
      c.query(sql).then(
        () => 'allowed',
        (e: { code?: string }) => (e.code === '42501' ? 'denied' : `error ${e.code}`),
      );
    try {
      // WHERE false: the privilege check happens all the same, and no row is touched.
      expect(
        await attempt(
          `UPDATE tessera.signing_keys SET status = status, activated_at = activated_at,
                  retired_at = retired_at, max_exp = max_exp WHERE false`,
        ),
      ).toBe('allowed');
      for (const column of ['private_key_enc', 'public_jwk', 'kid', 'alg', 'created_at'])
        expect([
          column,
          await attempt(`UPDATE tessera.signing_keys SET ${column} = ${column} WHERE false`),
        ]).toEqual([column, 'denied']);
      expect(await attempt(`DELETE FROM tessera.signing_keys WHERE false`)).toBe('denied');
    } finally {
      await c.end();
    }
  });

  describe('a login role that can become the owner or a BYPASSRLS role', () => {
    const su = () => new Client({ connectionString: db.superuserUrl });
    const made: string[] = [];
    /** A fresh LOGIN role, granted `memberOf` (a role name, or a BYPASSRLS role made here). */
    const loginRole = async (memberOf: string | 'bypassrls') => {
      const name = `t_${randomBytes(5).toString('hex')}`;
      const c = su();
      await c.connect();
      try {
        if (memberOf === 'bypassrls') {
          await c.query(`CREATE ROLE ${name}_bypass NOLOGIN BYPASSRLS`);
          made.push(`${name}_bypass`);
        }
        await c.query(`CREATE ROLE ${name} LOGIN PASSWORD 'pw'`);
        made.push(name);
        // Otherwise the app role (CONNECT, schema usage), plus what makes it unsafe.
        const extra = memberOf === 'bypassrls' ? `tessera_app, ${name}_bypass` : memberOf;
        await c.query(`GRANT ${extra} TO ${name}`);
      } finally {
        await c.end();
      }
      const u = new URL(db.appUrl);
      u.username = name;
      u.password = 'pw';
      return u.toString();
    };
    afterAll(async () => {
      const c = su();
      await c.connect();
      try {
        for (const r of made.reverse()) await c.query(`DROP ROLE IF EXISTS ${r}`);
      } finally {
        await c.end();
      }
    });

    it('NODE_ENV=production with DATABASE_URL a member of the owner role: start fails', async () => {
      const url = await loginRole('tessera_owner');
      await expect(boot({ NODE_ENV: 'production', DATABASE_URL: url })).rejects.toThrow(
        /DATABASE_URL connects as role "t_[0-9a-f]+" owns \(or can act as the owner of\)/,
      );
    });

    it('NODE_ENV=production with DATABASE_URL a member of a BYPASSRLS role: start fails', async () => {
      const url = await loginRole('bypassrls');
      await expect(boot({ NODE_ENV: 'production', DATABASE_URL: url })).rejects.toThrow(
        /DATABASE_URL connects as role "t_[0-9a-f]+" has \(or can assume\) BYPASSRLS/,
      );
    });
  });
});
