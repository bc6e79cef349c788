import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const which = (cmd: string): string | undefined => {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

/** The TS twin of ensureDebianPackage in scripts/services.mjs (root on Debian, as on CI). */
export function ensureDebianPackage(command: string, pkg: string): string {
  const found = which(command);
  if (found) return found;
  if (os.userInfo().uid !== 0) throw new Error(`${command} is missing: apt-get install ${pkg}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'ignore', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'ignore', env });
  }
  const bin = which(command);
  if (r.status !== 0 || !bin) throw new Error(`could not install ${pkg}`);
  // Debian starts the packaged service; tests run their own instance on a free port.
  spawnSync('sh', ['-c', `service ${pkg} stop >/dev/null 2>&1 || true`]);
  return bin;
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  url: string;
  /** GET /api/v1/query: the instant vector's samples as [labels, value]. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

/** A real Prometheus (Debian package) on loopback scraping `targets` every `intervalSeconds`. */
export async function startPrometheus(
  targets: string[],
  opts: { intervalSeconds?: number; metricsPath?: string } = {},
): Promise<RunningPrometheus> {
  const bin = ensureDebianPackage('prometheus', 'prometheus');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-prom-'));
  const interval = `${opts.intervalSeconds ?? 1}s`;
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${interval}`,
      'scrape_configs:',
      '  - job_name: tessera',
      `    metrics_path: ${opts.metricsPath ?? '/metrics'}`,
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== 'success') throw new Error(`query failed: ${body.error}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

/** `promtool check <args>` (config, rules …). */
export function promtoolCheck(args: string[]): { status: number; output: string } {
  const bin = ensureDebianPackage('promtool', 'prometheus');
  const r = spawnSync(bin, ['check', ...args], { encoding: 'utf8' });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}`.trim() };
}

/** `promtool check metrics` on an exposition: its complaints, empty when clean. */
export function promtoolCheckMetrics(exposition: string): { status: number; output: string } {
  const bin = ensureDebianPackage('promtool', 'prometheus');
  const r = spawnSync(bin, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}`.trim() };
}
