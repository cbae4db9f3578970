/**
 * What only a transaction pooler can break, with PgBouncer in transaction mode configured by
 * docs/examples/pgbouncer.ini (test/support/pgbouncer.js). The rest of the PostgreSQL suite runs
 * through PgBouncer as well (the "pgbouncer" jest project); this file runs only there
 * (*.pgbouncer.test.ts), with private PgBouncers where a test needs its own settings or restarts it:
 * - no startup option is needed (PgBouncer refuses `options`);
 * - with one server connection shared by two clients, nothing trinity-db sets reaches the other;
 * - PgBouncer restarted mid-run, its server connections dropped, the server restarted behind it:
 *   calls in the gap fail fast with DatabaseUnavailableError, the next calls succeed on the same
 *   manager, acknowledged writes are kept, and health() reports the pool;
 * - PgBouncer refusing a client (max_client_conn) is a typed error.
 */
import { Client } from 'pg';
import { DatabaseUnavailableError, TrinityDbError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { MIGRATIONS } from '../../src/migration';
import { cleanupTestDatabases, createPostgresDatabase, directUrl } from '../support/databases';
import { startPgBouncer, type PgBouncer } from '../support/pgbouncer';
import { QUIET_LOGGER, closeManagers, settle, startPrivatePostgres, trackManager, type PrivatePostgres } from '../support/reliability-helpers';

const bouncers: PgBouncer[] = [];
const servers: PrivatePostgres[] = [];

afterAll(async () => {
  await closeManagers();
  for (const bouncer of bouncers) await bouncer.dispose();
  for (const server of servers) await server.dispose();
  await cleanupTestDatabases();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const HEAD = (() => {
  const last = MIGRATIONS.postgres[MIGRATIONS.postgres.length - 1];
  return (new last() as { name?: string }).name ?? last.name;
})();

/** A private PgBouncer in front of the server of `serverUrl` (docs/examples/pgbouncer.ini plus `settings`). */
async function pgBouncerFor(serverUrl: string, settings: Record<string, string> = {}): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const bouncer = await startPgBouncer({
    server: { host: server.hostname, port: server.port || '5432' },
    user: decodeURIComponent(server.username),
    password: server.password ? decodeURIComponent(server.password) : undefined,
    settings,
  });
  bouncers.push(bouncer);
  return bouncer;
}

/** `url` with its host and port replaced by the PgBouncer's. */
function via(bouncer: PgBouncer, url: string): string {
  const routed = new URL(url);
  routed.hostname = bouncer.host;
  routed.port = String(bouncer.port);
  return routed.toString();
}

async function open(url: string): Promise<DatabaseManager> {
  return trackManager(await DatabaseManager.open({ url, env: {}, logger: QUIET_LOGGER }));
}

async function connected(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined); // a dropped connection is expected in some tests
  await client.connect();
  return client;
}

function expectUnavailable(error: unknown): void {
  expect(error).toBeInstanceOf(DatabaseUnavailableError);
  expect((error as Error).message).toMatch(/^database unavailable \(postgresql:\/\/postgres:\*\*\*@/);
}

/** Calls `call` until it succeeds (at most `ms`); every failure on the way must be DatabaseUnavailableError. */
async function untilServed<T>(call: () => Promise<T>, ms: number): Promise<{ value: T; failures: number }> {
  const deadline = Date.now() + ms;
  let failures = 0;
  for (;;) {
    const outcome = await settle(call());
    if (outcome.ok) return { value: outcome.value, failures };
    expectUnavailable(outcome.error);
    failures++;
    if (Date.now() > deadline) throw new Error(`not served again within ${ms} ms (${failures} failures)`);
    await sleep(100);
  }
}

const SETTINGS_SQL = `SELECT pg_backend_pid() AS pid, current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
                             current_setting('idle_in_transaction_session_timeout') AS idle, current_schema() AS schema`;

describe('trinity-db behind PgBouncer in transaction mode', () => {
  it('needs no startup option: PgBouncer refuses `options` (the way TimeZone or search_path used to be sent)', async () => {
    const url = await createPostgresDatabase(); // through the suite's PgBouncer in this project
    const refused = await settle(connected(`${url}?options=${encodeURIComponent('-c TimeZone=UTC')}`));
    expect(refused.ok).toBe(false);
    expect(String((refused as { error: Error }).error.message)).toMatch(/unsupported startup parameter: options/);
    const db = await open(`${url}?schema=tenant&statement_timeout=2s`);
    await db.setSetting('through', 'pgbouncer');
    expect(await db.getSettingValue('through')).toBe('pgbouncer');
    expect((await db.executor.select<{ statement: string; schema: string }>(SETTINGS_SQL))[0]).toMatchObject({ statement: '2s', schema: 'tenant' });
  });

  it('one server connection shared by two clients: what trinity-db sets for its statements and transactions never reaches the other client', async () => {
    const bouncer = await pgBouncerFor(process.env.TRINITY_TEST_PG_ADMIN_URL!, { default_pool_size: '1', reserve_pool_size: '0' });
    const url = via(bouncer, directUrl(await createPostgresDatabase()));
    const defaults = await (async () => {
      const fresh = await connected(directUrl(url));
      try {
        const { pid: _pid, ...rest } = (await fresh.query(SETTINGS_SQL)).rows[0];
        return rest;
      } finally {
        await fresh.end();
      }
    })();
    const db = await open(`${url}?schema=tenant_one&statement_timeout=1500&lock_timeout=700&idle_in_transaction_session_timeout=2500`);
    const other = await connected(url);
    try {
      const mine = { statement: '1500ms', lock: '700ms', schema: 'tenant_one' };
      for (let round = 0; round < 15; round++) {
        const [outside, inside, theirs] = await Promise.all([
          db.executor.select<Record<string, unknown>>(SETTINGS_SQL),
          db.transaction(async (tx) => {
            await tx.setSetting(`round-${round}`, 'x');
            return tx.executor.select<Record<string, unknown>>(SETTINGS_SQL);
          }),
          other.query(SETTINGS_SQL).then((r) => r.rows),
        ]);
        expect(outside[0]).toMatchObject(mine);
        expect(inside[0]).toMatchObject({ ...mine, idle: '2500ms' });
        const { pid, ...rest } = theirs[0];
        expect(rest).toEqual(defaults);
        // Really the same server connection.
        expect(pid).toBe(outside[0].pid);
        expect(pid).toBe(inside[0].pid);
      }
      // The tables are in the manager's schema, and the other client does not find them on its path.
      expect(await db.getSettingValue('round-14')).toBe('x');
      const visible = await other.query(`SELECT to_regclass('system_settings') IS NOT NULL AS found, to_regclass('tenant_one.system_settings') IS NOT NULL AS qualified`);
      expect(visible.rows[0]).toEqual({ found: false, qualified: true });
    } finally {
      await other.end();
    }
  });

  it('PgBouncer restarted mid-run: calls in the gap fail fast with DatabaseUnavailableError, the next calls succeed, acknowledged writes are kept', async () => {
    const bouncer = await pgBouncerFor(process.env.TRINITY_TEST_PG_ADMIN_URL!);
    const db = await open(via(bouncer, directUrl(await createPostgresDatabase())));
    await db.setSetting('before-restart', 'kept');

    const acknowledged: string[] = [];
    const failures: unknown[] = [];
    const durations: number[] = [];
    let running = true;
    const loops = Array.from({ length: 4 }, async (_, loop) => {
      for (let i = 0; running; i++) {
        const key = `loop-${loop}-${i}`;
        const started = Date.now();
        const outcome = await settle(i % 3 === 2 ? db.transaction((tx) => tx.setSetting(key, 'tx')) : db.setSetting(key, 'plain'));
        durations.push(Date.now() - started);
        if (outcome.ok) acknowledged.push(key);
        else failures.push(outcome.error);
        await sleep(10);
      }
    });
    await sleep(300);
    await bouncer.stop(); // immediate shutdown: every client connection of the manager's pool is cut
    await sleep(700);
    await bouncer.start();
    await sleep(700);
    running = false;
    await Promise.all(loops);

    expect(failures.length).toBeGreaterThan(0);
    for (const error of failures) expectUnavailable(error);
    // Failing fast: no call waited for a timeout.
    expect(Math.max(...durations)).toBeLessThan(5000);
    // The same manager serves again, and every acknowledged write is there.
    for (let i = 0; i < 20; i++) await db.setSetting(`after-restart-${i}`, 'ok');
    for (const key of [...acknowledged, 'before-restart']) expect(await db.getSettingValue(key)).not.toBeNull();
    const health = await db.health();
    expect(health.migrations.head).toBe(HEAD);
    expect(health.pool.total).toBeGreaterThanOrEqual(1);
    expect(health.pool.total).toBeLessThanOrEqual(health.pool.max);
    expect(health.pool.idle).toBeLessThanOrEqual(health.pool.total);
    expect(health.pool.waiting).toBe(0);
  });

  it('PgBouncer loses its server connections (the server terminates them): the next calls succeed', async () => {
    const bouncer = await pgBouncerFor(process.env.TRINITY_TEST_PG_ADMIN_URL!);
    const url = directUrl(await createPostgresDatabase());
    const db = await open(via(bouncer, url));
    await Promise.all(Array.from({ length: 8 }, (_, i) => db.setSetting(`warm-${i}`, 'x')));
    const admin = await connected(process.env.TRINITY_TEST_PG_ADMIN_URL!);
    try {
      const { rows } = await admin.query(
        `SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        [decodeURIComponent(new URL(url).pathname.slice(1))],
      );
      expect(Number(rows[0].n)).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await sleep(200);
    const served = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(db.setSetting(`after-${i}`, 'ok'))));
    expect(served.filter((o) => !o.ok)).toEqual([]);
    expect(await db.transaction((tx) => tx.getSettingValue('after-19'))).toBe('ok');
  });

  it('the PostgreSQL server restarted behind PgBouncer: calls fail with DatabaseUnavailableError within the waits, then the same manager is served again', async () => {
    const server = await startPrivatePostgres('Behind-Pooler-Pw');
    servers.push(server);
    // Shorter waits than the example's, so the outage takes seconds: a client waits at most 3 s for
    // a server connection, and a failed login is retried after 1 s.
    const bouncer = await pgBouncerFor(server.url, { query_wait_timeout: '3', server_login_retry: '1' });
    const admin = await connected(server.url);
    await admin.query('CREATE DATABASE trinity_behind_pooler');
    await admin.end();
    const db = await open(via(bouncer, server.url.replace(/\/postgres$/, '/trinity_behind_pooler')));
    await db.setSetting('before-outage', 'kept');

    await server.stop();
    const calls: (() => Promise<unknown>)[] = [() => db.getSettingValue('before-outage'), () => db.setSetting('during', 'lost'), () => db.transaction((tx) => tx.setSetting('during-tx', 'lost')), () => db.health()];
    for (const call of calls) {
      const started = Date.now();
      const outcome = await settle(call());
      expect(outcome.ok).toBe(false);
      expectUnavailable((outcome as { error: unknown }).error);
      expect(Date.now() - started).toBeLessThan(8000);
    }
    await server.start();
    await untilServed(() => db.getSettingValue('before-outage'), 20_000);
    for (let i = 0; i < 10; i++) await db.setSetting(`after-outage-${i}`, 'ok');
    expect(await db.getSettingValue('before-outage')).toBe('kept');
    expect(await db.getSettingValue('during')).toBeNull();
    expect(await db.getSettingValue('during-tx')).toBeNull();
    expect((await db.health()).migrations).toMatchObject({ head: HEAD, pending: [] });
  });

  it('PgBouncer refusing a client (max_client_conn reached) is DatabaseUnavailableError naming the setting', async () => {
    const bouncer = await pgBouncerFor(process.env.TRINITY_TEST_PG_ADMIN_URL!, { max_client_conn: '1' });
    const url = via(bouncer, directUrl(await createPostgresDatabase()));
    const holder = await connected(url);
    try {
      const outcome = await settle(DatabaseManager.open({ url, env: {}, logger: QUIET_LOGGER }));
      expect(outcome.ok).toBe(false);
      const error = (outcome as { error: unknown }).error;
      expect(error).toBeInstanceOf(TrinityDbError);
      expectUnavailable(error);
      expect((error as Error).message).toMatch(/no more connections allowed \(max_client_conn\)/);
    } finally {
      await holder.end();
    }
  });
});
