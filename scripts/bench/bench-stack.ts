import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKey } from '@tessera/infrastructure/crypto/key-generator';
import type { KeyMaterial } from '@tessera/infrastructure/crypto/key-material';
import {
  freePort,
  startEmbeddedPostgres,
} from '@tessera/infrastructure/postgres/embedded-postgres';
import { provisionDatabase } from '@tessera/infrastructure/postgres/provision';
import { runMigrations } from '@tessera/infrastructure/postgres/data-source';
import { ensureRedisServer } from '@tessera/testing/redis-server';

export const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/**
 * Everything the bench started, stopped in reverse order. `exitNow` is the synchronous last
 * resort for an exit we did not plan (a signal another handler turned into process.exit):
 * SIGKILL what is still running and remove the temp dir, so nothing outlives the bench.
 */
export class Stack {
  private readonly stops: (() => Promise<void>)[] = [];
  private readonly children = new Set<ChildProcess>();
  private closed = false;
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
    // As root Postgres runs as "postgres", which must reach its data directory.
    if (os.userInfo().uid === 0) chmodSync(this.dir, 0o755);
  }

  onStop(fn: () => Promise<void>): void {
    this.stops.push(fn);
  }

  track(child: ChildProcess): void {
    // Started while the bench was already stopping: it does not get to run.
    if (this.closed) child.kill('SIGKILL');
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const fn of this.stops.splice(0).reverse()) {
      await fn().catch((e: unknown) => log(`cleanup: ${e instanceof Error ? e.message : e}`));
    }
    this.exitNow();
  }

  exitNow(): void {
    for (const c of this.children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Services {
  appUrl: string;
  ownerUrl: string;
  redisUrl: string;
  /** For CPU accounting. */
  pgdata: string;
  redisPid?: number;
}

/** Embedded Postgres (no fsync: a benchmark, not a store) and redis-server, both on loopback. */
export async function startServices(
  stack: Stack,
  /** A Redis the caller started (and may stop and restart), instead of one of the stack's. */
  ownRedis?: { url: string; port: number },
): Promise<Services> {
  const [pg, redis] = await Promise.all([
    startEmbeddedPostgres({ dataDir: path.join(stack.dir, 'pg'), durable: false, log }),
    ownRedis ?? startRedis(stack),
  ]);
  stack.onStop(() => pg.stop());
  const { appUrl, ownerUrl } = await provisionDatabase(pg.superuserUrl, {
    database: 'tessera_bench',
    ownerRole: 'tessera_owner',
    ownerPassword: 'bench-owner-pw',
    appRole: 'tessera_app',
    appPassword: 'bench-app-pw',
  });
  await runMigrations(ownerUrl, appUrl);
  log(`postgres ${new URL(appUrl).port}, redis ${redis.port}`);
  return {
    appUrl,
    ownerUrl,
    redisUrl: redis.url,
    pgdata: pg.state.pgdata,
    redisPid: 'pid' in redis ? redis.pid : undefined,
  };
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

/** redis-server as in scripts/services.mjs, but a child the stack tracks (and so kills). */
async function startRedis(stack: Stack): Promise<{ url: string; port: number; pid?: number }> {
  const bin = ensureRedisServer();
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
  const child = spawn(bin, [...args, 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: 'ignore',
  });
  stack.track(child);
  stack.onStop(() => stopChild(child, 'SIGTERM'));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`redis-server did not start on ${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid };
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(kill), resolve()));
    child.kill(signal);
  });
}

/** A SIGNING_KEYS_DIR holding one RS256 key of `bits`. */
export async function keyDir(
  stack: Stack,
  bits: number,
): Promise<{ dir: string; material: KeyMaterial }> {
  const dir = path.join(stack.dir, `keys-rs256-${bits}`);
  mkdirSync(dir, { mode: 0o700 });
  const key = await generateSigningKey('RS256', bits);
  writeFileSync(path.join(dir, `${key.material.kid}.pem`), key.privatePem, { mode: 0o600 });
  return { dir, material: key.material };
}

export const ISSUER = 'http://tessera.bench.invalid';

/** The server's environment: production settings, quiet logs, no rate limits. */
export function serverEnv(svc: Services, keysDir: string, dataDir: string) {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    ISSUER,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    RATE_LIMIT_ENABLED: 'false',
    DATA_DIR: dataDir,
    DATABASE_URL: svc.appUrl,
    DATABASE_ADMIN_URL: svc.ownerUrl,
    MIGRATIONS_RUN: 'never',
    REDIS_URL: svc.redisUrl,
    SIGNING_KEYS_DIR: keysDir,
  };
}

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** The last lines it printed (warnings and errors at LOG_LEVEL=warn). */
  output(): string;
}

const root = path.resolve(__dirname, '../../..');
const MAIN = path.join(root, 'dist/apps/auth/src/main.js');
// UV_THREADPOOL_SIZE passes through: the signing pool's size is an operator's knob worth measuring.
const KEEP_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'UV_THREADPOOL_SIZE'];
/**
 * The flags `npm start` and the image's CMD start the server with: a larger young generation,
 * so fewer scavenges (garbage collection was 7 % of a token request's main thread).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * The built server as a child process. BENCH_PROFILE=<dir> adds --cpu-prof (written when the
 * server exits on SIGTERM). Its output goes to a file, as a container runtime's log driver
 * would take it, not printed unless it fails: a pipe read by this process (which also runs the
 * load generator) fills at LOG_LEVEL=info, and the server's synchronous log writes then wait
 * for the bench, not for the server's own work (docs/performance.md).
 */
export async function startServer(
  stack: Stack,
  name: string,
  env: Record<string, string>,
  /** Another build's entry point (a baseline to compare against). */
  main = MAIN,
): Promise<Server> {
  const port = await freePort();
  const dataDir = path.join(stack.dir, `data-${name}`);
  mkdirSync(dataDir, { recursive: true });
  const args = [...SERVER_NODE_FLAGS];
  if (process.env.BENCH_PROFILE) {
    const profDir = path.resolve(process.env.BENCH_PROFILE);
    args.push('--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  const inherited = Object.fromEntries(
    KEEP_ENV.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]),
  );
  const logFile = path.join(stack.dir, `server-${name}.log`);
  const fd = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [...args, main], {
    cwd: root,
    // Several nodes share the host: the management listener only where a bench asks for it.
    env: { ...inherited, MANAGEMENT_PORT: 'off', ...env, DATA_DIR: dataDir, PORT: String(port) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  stack.track(child);
  const tail = () => readFileSync(logFile, 'utf8').split('\n').slice(-200).join('\n');
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child, 'SIGTERM');
  stack.onStop(stop);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`server ${name} exited (${child.exitCode}):\n${tail()}`);
    const ok = await fetch(`${url}/health/ready`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server ${name} not ready after 60s:\n${tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, url, child, stop, output: tail };
}

/** `git rev-parse --short HEAD`, for the results file. */
export function gitCommit(): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
