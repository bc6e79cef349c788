// One jest run, three projects: unit specs beside the code, integration and e2e under test/.
// Services (Postgres, Redis) are started by scripts/test.mjs before jest and passed by env.
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
  swcrc: false,
};

// ESM-only packages that jest (which has no require(esm)) must see as CommonJS.
const esmPackages = ['jose', 'openid-client', 'oauth4webapi'];

const shared = {
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swcOptions] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^@tessera/config$': '<rootDir>/libs/config/index.ts',
    '^@tessera/resource-server$': '<rootDir>/libs/resource-server/src/index.ts',
    '^@tessera/resource-server/(.*)$': '<rootDir>/libs/resource-server/src/$1',
    '^@tessera/(domain|application|infrastructure|config|testing)/(.*)$': '<rootDir>/libs/$1/$2',
  },
  testEnvironment: 'node',
  rootDir: __dirname,
};

module.exports = {
  // Real services and spawned processes on a shared 2-core machine: generous per-test time.
  testTimeout: 150_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
