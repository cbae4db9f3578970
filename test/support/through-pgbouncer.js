// Setup of the "pgbouncer" jest project (jest.config.js): its suites reach PostgreSQL through the
// PgBouncer of the global setup (test/support/databases.ts routes the URLs, and DRIVERS is
// ['postgres'] there). Without pgbouncer every test of the project is registered as skipped, so the
// summary counts them as not run, never as passed.
'use strict';
process.env.TRINITY_TEST_PG_ROUTE = 'pgbouncer';

if (process.env.TRINITY_TEST_PGBOUNCER_MISSING) {
  const skipped = (original) => Object.assign((...args) => original.skip(...args), { ...original, each: original.skip.each, only: original.skip, skip: original.skip });
  globalThis.describe = skipped(globalThis.describe);
  globalThis.it = skipped(globalThis.it);
  globalThis.test = skipped(globalThis.test);
}
