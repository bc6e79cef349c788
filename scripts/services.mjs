// Native services for tests and benchmarks: no Docker engine here, so Debian packages.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';

const log = (msg) => process.stderr.write(`[services] ${msg}\n`);

export function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Installs a Debian package when its command is missing (root on Debian, as on CI). */
export function ensureDebianPackage(command, pkg) {
  if (which(command)) return which(command);
  if (os.userInfo().uid !== 0) throw new Error(`${command} is missing: apt-get install ${pkg}`);
  log(`installing ${pkg} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'ignore', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env });
  }
  if (r.status !== 0 || !which(command)) throw new Error(`could not install ${pkg}`);
  // Debian starts the packaged service; tests run their own instances on free ports.
  spawnSync('sh', ['-c', `service ${pkg} stop >/dev/null 2>&1 || true`]);
  return which(command);
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
