export default async function globalTeardown() {
  await globalThis.__TRINITY_PGBOUNCER__?.dispose();
  const server = globalThis.__TRINITY_EMBEDDED_PG__;
  if (server) await server.stop();
}
