const fs = require('fs');
const path = require('path');

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    // Type checking is a separate step of `npm test` (tsc --noEmit); jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
};

/**
 * The suites that reach the test server through the test/support helpers: they import them and
 * name the PostgreSQL driver (DRIVERS, createPostgresDatabase or a ('postgres') argument). The
 * "pgbouncer" project runs exactly these again, through PgBouncer in transaction mode, and the
 * suites about the pooler itself (*.pgbouncer.test.ts), which run there only.
 */
function postgresSuites(dir = path.join(__dirname, 'test')) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return postgresSuites(file);
    if (!entry.name.endsWith('.test.ts')) return [];
    if (entry.name.endsWith('.pgbouncer.test.ts')) return [file];
    const text = fs.readFileSync(file, 'utf8');
    const usesHelpers = /support\/(databases|reliability-helpers)['"]/.test(text);
    return usesHelpers && /\bDRIVERS\b|createPostgresDatabase|\('postgres'/.test(text) ? [file] : [];
  });
}

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [
    { ...common, testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '\\.pgbouncer\\.test\\.ts$'] },
    {
      ...common,
      displayName: { name: 'pgbouncer', color: 'magenta' },
      testMatch: postgresSuites(),
      setupFilesAfterEnv: ['<rootDir>/test/support/through-pgbouncer.js'],
    },
  ],
};
