import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt } from '@tessera/testing/build';
import { spawnCli } from '@tessera/testing/cli-process';

/**
 * The CLI contract for input commander itself rejects (ARCHITECTURE.md): nothing on stdout,
 * exactly one line on stderr, non-zero exit. None of these reach a database.
 */
const cli = (args: string[]) =>
  spawnCli(
    {
      PATH: process.env.PATH,
      ISSUER: 'https://tessera.example',
      // Points nowhere: a usage error must be reported before any connection is tried.
      DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none',
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-usage-')),
    },
    args,
  );

describe('CLI › usage errors', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it.each([
    [
      'an unknown command',
      ['bogus', '--json'],
      /^tessera: unknown command 'bogus' \(tessera: client, token/,
    ],
    ['no command at all', ['--json'], /^tessera: name a command: .*tenant/],
    ['an unknown flag', ['tenant', 'list', '--bogus', '--json'], /^tessera: unknown option/],
    [
      'a missing required argument',
      ['tenant', 'create', '--json'],
      /^tessera: missing required argument 'slug'$/,
    ],
    [
      'a missing required option',
      ['client', 'list', '--json'],
      /^tessera: required option '--tenant <slug>' not specified$/,
    ],
    ['an excess argument', ['tenant', 'create', 'a', 'b', '--json'], /^tessera: too many/],
    ['a mistyped subcommand', ['tenant', 'lst', '--json'], /^tessera: unknown command 'lst'/],
    ['a group without its subcommand', ['tenant'], /^tessera: tenant needs a subcommand/],
    ['a group with --json only', ['keys', '--json'], /^tessera: /],
  ])('%s: one line on stderr, nothing on stdout, exit 2', async (_what, args, line) => {
    const r = await cli(args);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(line);
  });

  it('--help prints usage for tessera on stdout and exits 0', async () => {
    const r = await cli(['tenant', 'create', '--help']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: tessera tenant create \[options\] <slug>/);
    expect(r.stdout).toContain('--json');
  });

  it('--json and --tenant are declared on every command that needs them', async () => {
    const r = await cli(['client', 'create', '--help']);
    expect(r.stdout).toMatch(/--tenant <slug>/);
    expect(r.stdout).toMatch(/--json +print one JSON object/);
  });
});
