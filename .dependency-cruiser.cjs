/** Layer rules (apps → application → domain ← infrastructure), checked by `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-plain-typescript',
      comment: 'libs/domain may not import frameworks, drivers or outer layers',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: {
        // Pure, dependency-free libraries the domain may use.
        pathNot: '^libs/domain/|node_modules/typeid-js/',
        dependencyTypesNot: ['core'],
        path: '.',
      },
    },
    {
      name: 'domain-no-framework',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: {
        path: 'node_modules/(@nestjs|typeorm|pg|ioredis|express|passport|openid-client|prom-client)',
      },
    },
    {
      name: 'application-not-infrastructure',
      comment: 'use cases depend on ports, never on adapters',
      severity: 'error',
      from: { path: '^libs/application/' },
      to: { path: '^(libs/infrastructure|apps)/|node_modules/(typeorm|pg|ioredis|express)' },
    },
    {
      name: 'libs-not-apps',
      severity: 'error',
      from: { path: '^libs/(domain|application|infrastructure|config)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'resource-server-core-no-framework',
      comment: 'the library core runs in any Node app: frameworks only in its adapters',
      severity: 'error',
      from: { path: '^libs/resource-server/src/core/' },
      to: {
        path: '^(apps|libs/(domain|application|infrastructure|config))/|^libs/resource-server/src/(express|nest|passport)|node_modules/(@nestjs|express|passport)',
      },
    },
    {
      name: 'resource-server-standalone',
      comment: 'APIs import the library alone: it may not reach into Tessera',
      severity: 'error',
      from: { path: '^libs/resource-server/' },
      to: { path: '^(apps|libs/(domain|application|infrastructure|config|testing))/' },
    },
    {
      name: 'no-circular',
      comment: 'no import circle anywhere, type-only imports included',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { circular: true },
    },
    {
      name: 'application-no-framework',
      comment: 'use cases are plain TypeScript too: Nest wiring lives in infrastructure modules',
      severity: 'error',
      from: { path: '^libs/application/' },
      to: { path: 'node_modules/(@nestjs|nestjs-|passport)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
  },
};
