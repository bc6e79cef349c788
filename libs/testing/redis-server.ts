import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import Redis from 'ioredis';
import os from 'node:os';
import path from 'node:path';

/**
 * A redis-server of a test's own, for tests that stop and restart Redis (the shared one from
 * TEST_REDIS_URL must stay up for everyone else). Same flags as scripts/services.mjs.
 */
export interface TestRedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: an outage, not a polite shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence, as Redis restarted blank). */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** SIGSTOP: the process is alive and its port accepts connections, but nothing answers. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /**
   * With `snapshots`: writes the dataset to disk now (SAVE). The next start() loads it, so a
   * stop() + start() is a Redis that lost every write made after this call (a restart without
   * AOF, or a failover to a replica that lagged) rather than one that lost everything.
   */
  snapshot(): Promise<void>;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** CI is a fresh Debian machine running as root: install the package when it is missing. */
export function ensureRedisServer(): string {
  const found = which('redis-server');
  if (found) return found;
  if (os.userInfo().uid !== 0)
    throw new Error('redis-server is missing: apt-get install redis-server');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'ignore', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'ignore', env });
  }
  spawnSync('sh', ['-c', 'service redis-server stop >/dev/null 2>&1 || true']);
  const bin = which('redis-server');
  if (r.status !== 0 || !bin) throw new Error('could not install redis-server');
  return bin;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

export interface RedisServerOptions {
  /** Start with `rename-command CONFIG ""`, as managed Redis services often do. */
  disableConfig?: boolean;
  /** Default noeviction; a test of the production refusal starts an evicting one. */
  maxmemoryPolicy?: string;
  /** Keep RDB snapshots in a directory of its own, loaded on start (see snapshot()). */
  snapshots?: boolean;
}

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<TestRedisServer> {
  const bin = ensureRedisServer();
  const port = await freePort();
  let child: ChildProcess | undefined;
  const dir = opts.snapshots ? mkdtempSync(path.join(os.tmpdir(), 'tessera-redis-')) : undefined;

  const start = async () => {
    if (child) return;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
    args.push('no', '--maxmemory-policy', opts.maxmemoryPolicy ?? 'noeviction');
    if (opts.disableConfig) args.push('--rename-command', 'CONFIG', '');
    if (dir) args.push('--dir', dir, '--dbfilename', 'snapshot.rdb');
    child = spawn(bin, args, { stdio: 'ignore' });
    child.once('exit', () => (child = undefined));
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!child) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  const snapshot = async () => {
    if (!dir) throw new Error('startRedisServer({ snapshots: true }) to take snapshots');
    const r = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      await r.save();
    } finally {
      r.disconnect();
    }
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    restart: () => stop().then(start),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    snapshot,
  };
}
