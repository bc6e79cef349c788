import { spawn } from 'node:child_process';
import { ensureBuilt, repoRoot } from './build';
import { freePort } from './redis-server';

export interface ExampleApiProcess {
  url: string;
  output(): string;
  /** SIGKILL (a crash) or SIGTERM (a stop), and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * apps/example-api as its own process (the built dist/), configured by env as in its README.
 * Waits until it listens; its /health may still say 503 (the feed is not synced yet).
 */
export async function startExampleApi(env: Record<string, string>): Promise<ExampleApiProcess> {
  ensureBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/apps/example-api/src/main.js'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const api: ExampleApiProcess = {
    url,
    output: () => out,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exit;
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`example-api exited (${child.exitCode}):\n${out}`);
    const up = await fetch(`${url}/health`).then(
      () => true,
      () => false,
    );
    if (up) return api;
    if (Date.now() > deadline) {
      await api.kill();
      throw new Error(`example-api not listening after 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
