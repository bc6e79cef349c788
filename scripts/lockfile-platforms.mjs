#!/usr/bin/env node
// The registry this project installs from serves only Linux builds of a few native packages
// (@swc/core, unrs-resolver). npm then writes a lockfile without the other platforms' optional
// entries, and `npm ci` refuses it as out of sync. This adds those entries (platform-tagged,
// so npm skips them here and fetches them only on their own platform). Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const entry of Object.values(pkgs)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (pkgs[key]) continue;
    const m = /^@(?:swc\/core|unrs\/resolver-binding)-([a-z0-9]+)-([a-z0-9]+)/.exec(name);
    if (!m) {
      console.error(`lockfile-platforms: no rule for ${name}`);
      process.exitCode = 1;
      continue;
    }
    pkgs[key] = { version, cpu: [m[2]], dev: true, optional: true, os: [m[1]] };
    added++;
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile-platforms: ${added} platform entr${added === 1 ? 'y' : 'ies'} added`);
