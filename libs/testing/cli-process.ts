import { spawn } from 'node:child_process';
import { ensureBuilt, repoRoot } from './build';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON object a `--json` command prints. */
  json<T = Record<string, string>>(): T;
}

/**
 * The built admin CLI as its own process (asynchronously: a server under test in this process
 * keeps serving meanwhile), with exactly `env` as its environment.
 */
export function spawnCli(env: NodeJS.ProcessEnv, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/apps/cli/src/main.js', ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }),
    );
  });
}

/**
 * The built CLI, quiet (LOG_LEVEL=silent unless `env` says otherwise); `env` is the whole
 * environment, not an overlay.
 */
export function runCli(
  env: Record<string, string | undefined>,
  ...args: string[]
): Promise<CliResult> {
  ensureBuilt();
  return spawnCli({ PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env }, args);
}

/** `runCli(env, ...args, '--json')` that must succeed: its JSON, or an error with its stderr. */
export async function cliJson(
  env: Record<string, string | undefined>,
  ...args: string[]
): Promise<Record<string, unknown>> {
  const r = await runCli(env, ...args, '--json');
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.json<Record<string, unknown>>();
}

/** A tenant and a client made by the CLI, for tests whose nodes are separate processes. */
export async function seedClientViaCli(
  env: Record<string, string | undefined>,
  opts: { slug?: string; grants?: string[]; scopes?: string[] } = {},
): Promise<{ tenantId: string; slug: string; clientId: string; secret: string }> {
  const slug = opts.slug ?? `t-${Math.random().toString(36).slice(2, 10)}`;
  const tenant = await runCli(env, 'tenant', 'create', slug, '--json');
  if (tenant.code !== 0) throw new Error(`tenant create failed: ${tenant.stderr}`);
  const client = await runCli(
    env,
    'client',
    'create',
    '--tenant',
    slug,
    '--name',
    'test client',
    '--grants',
    (opts.grants ?? ['client_credentials', 'refresh_token']).join(','),
    '--scopes',
    (opts.scopes ?? ['read', 'write']).join(' '),
    '--json',
  );
  if (client.code !== 0) throw new Error(`client create failed: ${client.stderr}`);
  const c = client.json();
  return { tenantId: tenant.json().id!, slug, clientId: c.client_id!, secret: c.client_secret! };
}

/**
 * The CLI's environment beside a node: the node's database (app and owner roles) and its data
 * dir (so its development key), then `env`.
 */
export const cliEnvFor = (
  db: { appUrl: string; ownerUrl: string },
  node: { dataDir: string },
  env: Record<string, string | undefined> = {},
): Record<string, string | undefined> => ({
  DATABASE_URL: db.appUrl,
  DATABASE_ADMIN_URL: db.ownerUrl,
  DATA_DIR: node.dataDir,
  ...env,
});

/** `token mint … --with-refresh`: an access and refresh token pair for `sub`, then `more` options. */
export const mintPairArgs = (
  tenant: string,
  clientId: string,
  sub: string,
  ...more: string[]
): string[] => [
  'token',
  'mint',
  '--tenant',
  tenant,
  '--sub',
  sub,
  '--client',
  clientId,
  '--with-refresh',
  ...more,
];
