import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './build';

export interface DurablePostgres {
  /** A superuser URL, for createTestDatabase({ superuserUrl }). */
  superuserUrl: string;
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL of a test's own with the server's durable defaults (fsync,
 * synchronous_commit and full_page_writes on), unlike the suite's shared cluster, which
 * scripts/test.mjs starts with them off for speed. For the production-mode test.
 */
export function startDurablePostgres(timeoutMs = 120_000): Promise<DurablePostgres> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'libs/testing/durable-postgres.mjs')],
    {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`durable postgres not up after ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve({ superuserUrl: (JSON.parse(line) as { url: string }).url, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`durable postgres exited with ${code}: ${err}`));
    });
  });
}
