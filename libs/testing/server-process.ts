import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, repoRoot } from './build';
import { freePort } from './redis-server';
import type { TestDatabase } from './test-database';

/**
 * A Tessera node as its own OS process: the built server (dist/), its own event loop, its own
 * data dir, optionally its own clock offset. Multi-node and fault tests use it so that a node
 * can be SIGKILLed mid-request and nodes can disagree about the time.
 */
export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  env: Record<string, string>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal and waits for the exit (SIGKILL: a crash, not a shutdown). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGTERM and wait: the graceful path. */
  stop(): Promise<number | null>;
  exited(): boolean;
}

export interface ServerProcessOptions {
  /** Env overrides (merged over test defaults; `undefined` removes a default). */
  env?: Record<string, string | undefined>;
  /** Milliseconds added to this process's Date.now() and new Date() (clock skew between nodes). */
  clockOffsetMs?: number;
  /** How long to wait for /health/ready (default 60 s: a shared, loaded machine). */
  readyTimeoutMs?: number;
  /** Listen on this port (default: a free one), e.g. so ISSUER or an IdP can name its URL first. */
  port?: number;
  /** Wait for /health/live only (a node that is expected to report not-ready). */
  waitFor?: 'ready' | 'live' | 'none';
}

const CLOCK_SHIM = path.join(repoRoot, 'libs/testing/clock-offset.cjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether `pid` holds the socket listening on `port` (Linux /proc; elsewhere assumed). A free
 * port picked here can be taken by another test's listen(0) while the node boots: then a probe
 * answered by that server must not count as this node being ready.
 */
function listensOn(pid: number, port: number): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return !existsSync('/proc/net/tcp');
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      // local_address, state 0A = LISTEN, inode.
      if (f[1]?.endsWith(hexPort) && f[3] === '0A' && inodes.has(f[9]!)) return true;
    }
  }
  return false;
}

/** Starts `node dist/apps/auth/src/main.js` against `db` on a free loopback port. */
export async function startServerProcess(
  db: Pick<TestDatabase, 'appUrl' | 'ownerUrl'> | undefined,
  opts: ServerProcessOptions = {},
): Promise<ServerProcess> {
  ensureBuilt();
  // A port picked free can be taken before the node binds it: then try another (not when the
  // caller chose the port).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(db, opts, opts.port ?? (await freePort()));
    } catch (e) {
      if (opts.port !== undefined || attempt >= 3 || !(e instanceof PortTaken)) throw e;
    }
  }
}

class PortTaken extends Error {}

async function startOnce(
  db: Pick<TestDatabase, 'appUrl' | 'ownerUrl'> | undefined,
  opts: ServerProcessOptions,
  port: number,
): Promise<ServerProcess> {
  const dataDir = opts.env?.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'tessera-node-'));
  const defaults: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    DEV_KEY_ALG: 'ES256',
    HOST: '127.0.0.1',
    PORT: String(port),
    // Nodes of one test share a host: a test that wants the management API names its port.
    MANAGEMENT_PORT: 'off',
    DATA_DIR: dataDir,
    DATABASE_URL: db?.appUrl,
    DATABASE_ADMIN_URL: db?.ownerUrl,
  };
  const merged = { ...defaults, ...opts.env, PORT: String(port), DATA_DIR: dataDir };
  const env = Object.fromEntries(
    Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if (opts.clockOffsetMs) {
    env.TESSERA_TEST_CLOCK_OFFSET_MS = String(opts.clockOffsetMs);
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${CLOCK_SHIM}`.trim();
  }
  const child: ChildProcess = spawn(process.execPath, ['dist/apps/auth/src/main.js'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve((exitCode = code))),
  );
  const url = `http://127.0.0.1:${port}`;
  const node: ServerProcess = {
    url,
    port,
    pid: child.pid!,
    dataDir,
    env,
    output: () => out,
    exited: () => exitCode !== undefined,
    kill: async (signal = 'SIGKILL') => {
      if (exitCode === undefined) child.kill(signal);
      return exit;
    },
    stop: () => node.kill('SIGTERM'),
  };
  const wait = opts.waitFor ?? 'ready';
  if (wait === 'none') return node;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  const probe = `${url}/health/${wait}`;
  for (;;) {
    if (exitCode !== undefined) {
      const msg = `tessera node exited with ${exitCode} before ${wait}:\n${out}`;
      throw out.includes('EADDRINUSE') ? new PortTaken(msg) : new Error(msg);
    }
    const ok = await fetch(probe)
      .then((r) => r.status === 200)
      .catch(() => false);
    // Answered by this node, not by another test's server that took the port meanwhile.
    if (ok && listensOn(child.pid!, port)) return node;
    if (Date.now() > deadline) {
      await node.kill();
      throw new Error(
        `tessera node not ${wait} after ${opts.readyTimeoutMs ?? 60_000} ms:\n${out}`,
      );
    }
    await sleep(100);
  }
}
