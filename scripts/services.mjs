// Native services for tests and benchmarks: no Docker engine here, so Debian packages.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';

const log = (msg) => process.stderr.write(`[services] ${msg}\n`);

export function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Installs a Debian package when its command is missing (root on Debian, as on CI). */
export function ensureDebianPackage(command, pkg) {
  ensureDebianPackages([[command, pkg]]);
  return which(command);
}

const aptEnv = () => ({ ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
const apt = (args, stdio = 'ignore') => spawnSync('apt-get', args, { stdio, env: aptEnv() });

/** A fresh Debian image ships without package lists: nothing can be installed before update. */
function aptListsEmpty() {
  try {
    return !readdirSync('/var/lib/apt/lists').some((f) => f.endsWith('_Packages'));
  } catch {
    return true;
  }
}

/**
 * Installs, in one apt transaction, the packages whose command is missing ([command, package]
 * pairs). One transaction matters: jest workers each installing their own would contend for
 * the dpkg lock and fail.
 */
export function ensureDebianPackages(wanted) {
  const pkgs = [...new Set(wanted.filter(([command]) => !which(command)).map(([, p]) => p))];
  if (!pkgs.length) return;
  if (os.userInfo().uid !== 0) throw new Error(`missing: apt-get install ${pkgs.join(' ')}`);
  log(`installing ${pkgs.join(', ')} (apt-get)`);
  if (aptListsEmpty()) apt(['update', '-qq'], 'inherit');
  const install = ['install', '-y', '-qq', ...pkgs];
  let r = apt(install);
  if (r.status !== 0) {
    // Stale lists name versions the mirror no longer has: refresh once and retry.
    apt(['update', '-qq'], 'inherit');
    r = apt(install, 'inherit');
  }
  const still = wanted.filter(([command]) => !which(command)).map(([c]) => c);
  if (r.status !== 0 || still.length) throw new Error(`could not install ${pkgs.join(', ')}`);
  // Debian may start the packaged services; tests run their own instances on free ports.
  for (const service of [...pkgs, 'prometheus-node-exporter']) {
    spawnSync('sh', ['-c', `service ${service} stop >/dev/null 2>&1 || true`]);
  }
}

export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** redis-server on loopback, no persistence, and the eviction policy Tessera requires. */
export async function startRedis(port) {
  const bin = ensureDebianPackage('redis-server', 'redis-server');
  port ??= await freePort();
  const child = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`redis on 127.0.0.1:${port}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
