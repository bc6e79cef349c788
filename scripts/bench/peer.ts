import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@tessera/infrastructure/postgres/embedded-postgres';
import type { Server, Stack } from './bench-stack';

export interface PeerOptions {
  alg: 'RS256' | 'ES256' | 'EdDSA';
  bits?: number;
  /** Its JWT access tokens are not stored and cannot be introspected: opaque ones can. */
  format?: 'jwt' | 'opaque';
}

export interface Peer extends Server {
  clientId: string;
  clientSecret: string;
}

const SCRIPT = path.resolve(__dirname, '../../../scripts/bench/peer-provider.mjs');

/** node-oidc-provider as a child the stack tracks, with the same algorithm and key size. */
export async function startPeer(stack: Stack, name: string, opts: PeerOptions): Promise<Peer> {
  const port = await freePort();
  const child = spawn(process.execPath, [SCRIPT], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PEER_PORT: String(port),
      PEER_ALG: opts.alg,
      PEER_RSA_BITS: String(opts.bits ?? 2048),
      PEER_TOKEN_FORMAT: opts.format ?? 'jwt',
      UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.track(child);
  const output: string[] = [];
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  stack.onStop(stop);
  const ready = await new Promise<{ url: string; clientId: string; clientSecret: string }>(
    (resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`peer ${name} did not start`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\n')[0];
        if (buf.includes('\n') && line) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as { url: string; clientId: string; clientSecret: string });
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`peer ${name} exited (${code}): ${output.join('')}`));
      });
    },
  );
  // Warnings about the Node version and the in-memory adapter are expected: not worth showing.
  const output_ = () =>
    output
      .join('')
      .split('\n')
      .filter((l) => l && !/oidc-provider WARNING|in-memory adapter|to not lose all/.test(l))
      .join('\n');
  return { name, child, stop, output: output_, ...ready };
}
