import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');

/**
 * Tests that spawn the built server or CLI need dist/. `npm test` builds once before jest
 * (TESSERA_BUILT=1): parallel builds into one dist/ would race. Outside it, build here.
 */
export function ensureBuilt(): void {
  if (process.env.TESSERA_BUILT === '1') return;
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}
