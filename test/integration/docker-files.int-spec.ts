import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { Client, escapeLiteral } from 'pg';
import { loadConfig } from '@tessera/config';
import { envSchema } from '@tessera/config/schema';
import { appRoleProblems } from '@tessera/infrastructure/postgres/app-role-check';
import { createDataSource, runMigrations } from '@tessera/infrastructure/postgres/data-source';
import { withCredentials } from '@tessera/infrastructure/postgres/provision';

/**
 * No Docker engine runs in CI, so nothing builds or starts docker/. This spec reads those files
 * and holds them to what Tessera expects: its env schema, a non-root runtime stage, and the
 * database init.sql creates (run for real against the test Postgres).
 */
const root = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

type Env = Record<string, string | number | boolean | null>;
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Env;
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: string[];
  user?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
}

const compose = load(read('docker/compose.yml')) as ComposeFile;
const authentik = existsSync(path.join(root, 'docker/compose.authentik.yml'))
  ? (load(read('docker/compose.authentik.yml')) as ComposeFile)
  : undefined;

/** docker/.env.example as compose would read it. */
const exampleEnv = Object.fromEntries(
  read('docker/.env.example')
    .split('\n')
    .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);

/** Compose interpolation: $$, ${V}, ${V:-d}, ${V-d}, ${V:?e}, ${V?e}. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
    (whole, name: string | undefined, colon: string, op: string, arg: string) => {
      if (whole === '$$') return '$';
      const v = vars[name!];
      const missing = v === undefined || (colon === ':' && v === '');
      if (op === '?' && missing) throw new Error(`compose would stop: ${name} unset (${arg})`);
      if (op === '-' && missing) return arg;
      return v ?? '';
    },
  );
}

/** The environment a service's container gets; a key without a value stays unset. */
function containerEnv(svc: Service, vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(svc.environment ?? {})) {
    if (v === null) {
      if (vars[k] !== undefined) env[k] = vars[k];
    } else env[k] = interpolate(String(v), vars);
  }
  return env;
}

/** Instructions of the last stage, continuation lines joined. */
function finalStage(dockerfile: string): string[] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const lastFrom = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  return lines.slice(lastFrom);
}

describe('docker/ › compose.yml', () => {
  const tesseraServices = (file: ComposeFile | undefined) =>
    Object.entries(file?.services ?? {}).filter(
      ([name, s]) => name === 'tessera' || name === 'migrate' || s.image === 'tessera:local',
    );

  it('every variable a Tessera container is given exists in libs/config/schema.ts', () => {
    const known = new Set(Object.keys(envSchema.shape));
    const given = [...tesseraServices(compose), ...tesseraServices(authentik)].flatMap(
      ([name, s]) => Object.keys(s.environment ?? {}).map((k) => `${name}.${k}`),
    );
    expect(given.length).toBeGreaterThan(10);
    expect(given.filter((g) => !known.has(g.split('.')[1]!))).toEqual([]);
  });

  it('the server and migrate environments pass config validation in production', () => {
    const server = loadConfig(containerEnv(compose.services.tessera!, exampleEnv));
    expect(server.production).toBe(true);
    expect(server.http.host).toBe('0.0.0.0');
    expect(server.database.runMigrations).toBe(false);
    expect(server.database.adminUrl).toBeUndefined();
    expect(server.redis.url).toMatch(/^redis:\/\/:[^@]+@redis:6379$/);
    expect(server.keys.dir).toBe('/etc/tessera/keys');
    const migrate = loadConfig(containerEnv(compose.services.migrate!, exampleEnv));
    expect(new URL(migrate.database.adminUrl!).username).toBe('tessera_owner');
    expect(new URL(migrate.database.url!).username).toBe('tessera_app');
    expect(compose.services.migrate!.command).toEqual([
      'node',
      'dist/apps/cli/src/main.js',
      'migrate',
      '--json',
    ]);
  });

  it('the server waits for a successful migrate and healthy Postgres and Redis', () => {
    expect(compose.services.tessera!.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(compose.services.tessera!.volumes).toContain('./keys:/etc/tessera/keys:ro');
  });

  it('Redis never evicts and persists (a consumed refresh token must stay consumed)', () => {
    const cmd = compose.services.redis!.command!.join(' ');
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(cmd).toMatch(/--appendonly yes/);
  });

  it('Prometheus scrapes the tessera service from an address /metrics allows', () => {
    const prom = load(read('docker/prometheus.yml')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prom.scrape_configs.find((j) => j.job_name === 'tessera')!;
    const env = containerEnv(compose.services.tessera!, exampleEnv);
    expect(job.static_configs[0]!.targets).toEqual([`tessera:${env.PORT}`]);
    expect(loadConfig(env).metrics.allowCidrs).toContain('172.16.0.0/12');
  });

  it('.env.example holds placeholders only, and git ignores .env and the keys', () => {
    for (const [k, v] of Object.entries(exampleEnv)) {
      if (/PASSWORD|SECRET/.test(k)) expect(v).toMatch(/^change-me/);
    }
    expect(read('.gitignore').split('\n')).toEqual(
      expect.arrayContaining(['.env', 'docker/keys/']),
    );
  });
});

describe('docker/ › Dockerfile', () => {
  const dockerfile = read('docker/Dockerfile');
  const final = finalStage(dockerfile);

  it('the runtime stage runs as a non-root user with a liveness HEALTHCHECK', () => {
    const users = final.filter((l) => /^USER\s/i.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(final.find((l) => /^HEALTHCHECK\s/i.test(l))).toMatch(/\/health\/live/);
    expect(final).toContain('STOPSIGNAL SIGTERM');
    expect(final.find((l) => /^ENV\s/i.test(l))).toMatch(/NODE_ENV=production.*HOST=0\.0\.0\.0/);
  });

  it('installs no dev dependencies into the runtime image', () => {
    expect(final.filter((l) => /npm (ci|install|i)\b/.test(l))).toEqual([]);
    const installs = dockerfile.replace(/\\\n/g, ' ').match(/npm ci[^\n&]*/g) ?? [];
    const prodDeps = installs.filter((l) => l.includes('--omit=dev'));
    expect(prodDeps).toHaveLength(1);
    expect(final.some((l) => /COPY --from=prod-deps \/app\/node_modules/.test(l))).toBe(true);
    expect(final.some((l) => /COPY --from=build \/app\/node_modules/.test(l))).toBe(false);
  });

  it('starts the server and ships the CLI the way package.json runs them', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    // The image runs the server exactly as `npm start` does, node flags included.
    const server = scripts.start!.split('&&').at(-1)!.trim();
    expect(server).toMatch(/^node( --[\w-]+=\S+)* dist\/apps\/auth\/src\/main\.js$/);
    expect(scripts.cli).toContain('node dist/apps/cli/src/main.js');
    const words = server.split(' ').map((w) => JSON.stringify(w));
    expect(final.at(-1)).toBe(`CMD [${words.join(', ')}]`);
  });

  it('.dockerignore admits every path the build copies, and no secrets', () => {
    const ignore = read('.dockerignore').split('\n');
    const admitted = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    const copied = dockerfile
      .split('\n')
      .filter((l) => /^COPY\s/.test(l) && !l.includes('--from'))
      .flatMap((l) => l.trim().split(/\s+/).slice(1, -1));
    expect(copied.length).toBeGreaterThan(3);
    expect(copied.filter((c) => !admitted.includes(c))).toEqual([]);
    expect(ignore[ignore.findIndex((l) => !l.startsWith('#'))]).toBe('*');
    expect(ignore).toEqual(expect.arrayContaining(['**/*.pem', '**/.env']));
  });
});

/**
 * Runs init.sql the way the postgres image's entrypoint does (psql as the superuser), with the
 * few psql meta-commands it uses (\set, \getenv, \connect, :'var') done here, and unique role
 * and database names because roles are cluster-wide and tests share the cluster.
 */
describe('docker/ › postgres/init.sql', () => {
  const sql = read('docker/postgres/init.sql');

  it('creates both roles NOSUPERUSER NOBYPASSRLS, the app role also NOINHERIT', () => {
    const roles = sql.match(/CREATE ROLE[^;]+;/g) ?? [];
    expect(roles).toHaveLength(2);
    for (const r of roles) expect(r).toMatch(/LOGIN[\s\S]*NOSUPERUSER NOBYPASSRLS/);
    expect(roles.find((r) => r.includes('tessera_app'))).toMatch(/NOINHERIT/);
    expect(sql).not.toMatch(/GRANT\s+tessera_owner\s+TO/i);
  });

  describe('run against Postgres, then migrated as the owner', () => {
    const tag = randomBytes(4).toString('hex');
    const names = { owner: `dk_owner_${tag}`, app: `dk_app_${tag}`, db: `dk_db_${tag}` };
    const passwords = { owner: `o'${tag}\\x`, app: `a-${tag}` };
    const su = process.env.TEST_PG_SUPERUSER_URL!;
    const urlFor = (role: string, pw: string) => withCredentials(su, role, pw, names.db);

    async function runInitSql(): Promise<void> {
      const script = sql
        .replace(/\btessera_owner\b/g, names.owner)
        .replace(/\btessera_app\b/g, names.app)
        .replace(/(DATABASE|\\connect) tessera\b/g, `$1 ${names.db}`);
      const env: Record<string, string> = {
        TESSERA_OWNER_PASSWORD: passwords.owner,
        TESSERA_APP_PASSWORD: passwords.app,
      };
      const vars: Record<string, string> = {};
      const expand = (stmt: string) =>
        stmt.replace(/:'(\w+)'/g, (_, v: string) => {
          if (vars[v] === undefined) throw new Error(`:'${v}' is unset`);
          return escapeLiteral(vars[v]);
        });
      let client = new Client({ connectionString: su });
      await client.connect();
      try {
        let pending = '';
        for (const line of script.split('\n').map((l) => l.trim())) {
          if (!line || line.startsWith('--')) continue;
          const meta = /^\\(\w+)\s*(.*)$/.exec(line);
          if (!meta) {
            pending += `${line}\n`;
            if (line.endsWith(';')) {
              await client.query(expand(pending));
              pending = '';
            }
            continue;
          }
          const [, command, args] = meta;
          if (command === 'getenv') {
            const [name, from] = args!.split(/\s+/);
            if (env[from!] !== undefined) vars[name!] = env[from!]!;
          } else if (command === 'connect') {
            await client.end();
            const u = new URL(su);
            u.pathname = `/${args}`;
            client = new Client({ connectionString: u.toString() });
            await client.connect();
          } else if (command !== 'set') {
            throw new Error(`unhandled psql meta-command in init.sql: ${line}`);
          }
        }
        expect(pending).toBe('');
      } finally {
        await client.end();
      }
    }

    afterAll(async () => {
      const c = new Client({ connectionString: su });
      await c.connect();
      try {
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [names.db],
        );
        await c.query(`DROP DATABASE IF EXISTS ${names.db}`);
        await c.query(`DROP ROLE IF EXISTS ${names.app}`);
        await c.query(`DROP ROLE IF EXISTS ${names.owner}`);
      } finally {
        await c.end();
      }
    });

    it('gives the roles, database, schema and setting provision.ts gives', async () => {
      await runInitSql();
      const c = new Client({ connectionString: su });
      await c.connect();
      try {
        const { rows: roles } = await c.query(
          `SELECT rolname, rolsuper, rolbypassrls, rolinherit, rolcreatedb, rolcreaterole, rolcanlogin
             FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
          [[names.owner, names.app]],
        );
        const attrs = { rolsuper: false, rolbypassrls: false, rolcreatedb: false };
        expect(roles).toEqual([
          {
            rolname: names.app,
            ...attrs,
            rolinherit: false,
            rolcreaterole: false,
            rolcanlogin: true,
          },
          {
            rolname: names.owner,
            ...attrs,
            rolinherit: true,
            rolcreaterole: false,
            rolcanlogin: true,
          },
        ]);
        const { rows: db } = await c.query(
          `SELECT pg_get_userbyid(datdba) AS owner,
                  has_database_privilege($2, datname, 'CONNECT') AS app_connects,
                  has_database_privilege($2, datname, 'TEMPORARY') AS app_temporary,
                  has_database_privilege('public', datname, 'CONNECT') AS public_connects,
                  (SELECT setconfig FROM pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole = 0) AS settings
             FROM pg_database d WHERE datname = $1`,
          [names.db, names.app],
        );
        expect(db).toEqual([
          {
            owner: names.owner,
            app_connects: true,
            app_temporary: false,
            public_connects: false,
            settings: [`tessera.app_role=${names.app}`],
          },
        ]);
      } finally {
        await c.end();
      }
      const inDb = new Client({ connectionString: urlFor(names.app, passwords.app) });
      await inDb.connect();
      try {
        const { rows } = await inDb.query(
          `SELECT pg_get_userbyid(nspowner) AS owner,
                  has_schema_privilege(current_user, 'tessera', 'USAGE') AS usage,
                  has_schema_privilege(current_user, 'tessera', 'CREATE') AS creates,
                  has_schema_privilege(current_user, 'public', 'CREATE') AS creates_public
             FROM pg_namespace WHERE nspname = 'tessera'`,
        );
        expect(rows).toEqual([
          { owner: names.owner, usage: true, creates: false, creates_public: false },
        ]);
      } finally {
        await inDb.end();
      }
    });

    it('migrates as the owner, after which the app role passes the production check', async () => {
      const applied = await runMigrations(urlFor(names.owner, passwords.owner));
      expect(applied.length).toBeGreaterThan(0);
      const ds = createDataSource({ url: urlFor(names.app, passwords.app), poolSize: 1 });
      await ds.initialize();
      try {
        expect(await appRoleProblems(ds)).toEqual([]);
        // The grants reached the app role through the database's tessera.app_role setting.
        await expect(ds.query(`SELECT count(*)::int AS n FROM tessera.tenants`)).resolves.toEqual([
          { n: 0 },
        ]);
      } finally {
        await ds.destroy();
      }
    });
  });
});
