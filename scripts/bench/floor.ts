/**
 * npm run bench:floor — what the HTTP stack alone costs: CPU per request of one POST route that
 * reads a form and answers a fixed introspection-sized JSON, on node:http, Koa (the peer's
 * framework), Nest on Express (Tessera's) and, when `@nestjs/platform-fastify` is installed
 * (`npm i --no-save @nestjs/platform-fastify`), Nest on Fastify. No auth, no crypto, no
 * stores: the floor under every Tessera endpoint. Each server is its own process, loaded by
 * autocannon on loopback (BENCH_SECONDS, 6; BENCH_CONNECTIONS, 32), CPU from /proc.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Header, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import autocannon from 'autocannon';
import { FORM, envNumber } from './common';

const ANSWER = {
  active: true,
  iss: 'http://tessera.bench.invalid',
  sub: 'cli_01m95vshhpfeyvw29yj27scsv8',
  client_id: 'cli_01m95vshhpfeyvw29yj27scsv8',
  aud: 'https://api.example',
  scope: 'api:read api:write',
  jti: 'tok_01m95vshhpfeyvw29yj27scsv8',
  iat: 1_900_000_000,
  exp: 1_900_000_300,
  token_type: 'Bearer',
};
const STACKS = ['node:http', 'koa', 'nest-express', 'nest-fastify'] as const;
type StackName = (typeof STACKS)[number];

@Controller('oauth')
class IntrospectController {
  @Post('introspect')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  handle(): object {
    return ANSWER;
  }
}

@Module({ controllers: [IntrospectController] })
class FloorModule {}

async function nest(on: 'express' | 'fastify'): Promise<INestApplication> {
  if (on === 'express') {
    const app = await NestFactory.create(FloorModule, { logger: false, bodyParser: false });
    app.use(express.urlencoded({ extended: false }));
    return app;
  }
  // Optional, not a dependency: measured when installed.
  const { FastifyAdapter } = require('@nestjs/platform-fastify') as {
    FastifyAdapter: new () => never;
  };
  return NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
}

/** Starts `name` in this (child) process; resolves with its port. */
async function serve(name: StackName): Promise<number> {
  if (name === 'node:http' || name === 'koa') {
    let handler: http.RequestListener;
    if (name === 'koa') {
      // oidc-provider's own Koa, installed with it.
      const Koa = require('koa') as new () => {
        use(
          fn: (
            ctx: Record<string, unknown> & {
              req: http.IncomingMessage;
              set(k: string, v: string): void;
            },
          ) => Promise<void>,
        ): void;
        callback(): http.RequestListener;
      };
      const app = new Koa();
      app.use(async (ctx) => {
        let body = '';
        for await (const chunk of ctx.req) body += String(chunk);
        new URLSearchParams(body);
        ctx.set('Cache-Control', 'no-store');
        ctx.body = ANSWER;
      });
      handler = app.callback();
    } else {
      handler = (req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          new URLSearchParams(body);
          const out = JSON.stringify(ANSWER);
          res.writeHead(200, {
            'content-type': 'application/json; charset=utf-8',
            'cache-control': 'no-store',
            'content-length': Buffer.byteLength(out),
          });
          res.end(out);
        });
      };
    }
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }
  const app = await nest(name === 'nest-express' ? 'express' : 'fastify');
  await app.listen(0, '127.0.0.1');
  return (app.getHttpServer().address() as AddressInfo).port;
}

const cpuMs = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
};

async function measure(name: StackName): Promise<string> {
  const child = fork(__filename, ['--serve', name], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port));
      child.once('exit', () => reject(new Error(errors.split('\n')[0] || 'exited')));
    });
    const opts = {
      url: `http://127.0.0.1:${port}/oauth/introspect`,
      method: 'POST' as const,
      connections: envNumber('BENCH_CONNECTIONS', 32),
      headers: { 'content-type': FORM },
      body: 'token=abc.def.ghi&token_type_hint=access_token',
    };
    await autocannon({ ...opts, duration: 2 });
    const before = cpuMs(child.pid!);
    const r = await autocannon({ ...opts, duration: envNumber('BENCH_SECONDS', 6) });
    const perRequest = (cpuMs(child.pid!) - before) / r.requests.total;
    const bad = r.non2xx + r.errors;
    return `| ${name} | ${Math.round(r.requests.average)} | ${perRequest.toFixed(3)} | ${bad} |`;
  } catch (e) {
    return `| ${name} | — | not run: ${(e as Error).message} | — |`;
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--serve');
  if (at > 0) {
    process.send!({ port: await serve(process.argv[at + 1] as StackName) });
    return;
  }
  const rows = ['| stack | req/s | CPU ms/req | non-2xx + errors |', '|---|---:|---:|---:|'];
  for (const name of STACKS) rows.push(await measure(name));
  process.stdout.write(`${rows.join('\n')}\n`);
}

void main().catch((e: unknown) => {
  process.stderr.write(`bench:floor: ${String(e)}\n`);
  process.exit(1);
});
