// Stops the embedded PostgreSQL of global-setup.mjs and removes its temporary folder (jest runs this
// after the last suite, whether the suites passed or not).
export default async function globalTeardown() {
  await globalThis.__TRINITY_PGBOUNCER__?.dispose();
  const server = globalThis.__TRINITY_EMBEDDED_PG__;
  delete globalThis.__TRINITY_EMBEDDED_PG__;
  if (server) await server.dispose();
}
