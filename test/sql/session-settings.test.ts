/**
 * The PostgreSQL session limits (statement, lock and idle-in-transaction timeouts) hold for every
 * statement, in and outside transactions, with their defaults or the URL's values, although none of
 * them is a startup parameter (src/sql/session-settings.ts); and no result depends on the session's
 * time zone, which trinity-db never sets. Runs direct and, in the "pgbouncer" jest project, through
 * PgBouncer in transaction mode.
 */
import { Client } from 'pg';
import { DatabaseUnavailableError, QueryTimeoutError, TransactionConflictError, TrinityDbError } from '../../src/errors';
import { PG_MIGRATION_LOCK_CLASS } from '../../src/data-source';
import { DatabaseManager } from '../../src/manager';
import { cleanupTestDatabases, createPostgresDatabase, directUrl } from '../support/databases';
import { closeManagers, openFreshManager, settle } from '../support/reliability-helpers';

afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withOptions(url: string, options: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${options}`;
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

type Limits = { statement: string; lock: string; idle: string };
const LIMITS_SQL = `SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
                           current_setting('idle_in_transaction_session_timeout') AS idle`;

/** Holds a row lock on the setting `key` from another connection until `release` resolves. */
async function holdingRowLock(url: string, key: string, work: () => Promise<void>): Promise<void> {
  await withClient(url, async (other) => {
    await other.query('BEGIN');
    await other.query(`SELECT * FROM system_settings WHERE key = $1 FOR UPDATE`, [key]);
    try {
      await work();
    } finally {
      await other.query('ROLLBACK');
    }
  });
}

async function expectFailure(promise: Promise<unknown>): Promise<TrinityDbError> {
  const outcome = await settle(promise);
  expect(outcome.ok).toBe(false);
  const { error } = outcome as { error: unknown };
  expect(error).toBeInstanceOf(TrinityDbError);
  return error as TrinityDbError;
}

describe('PostgreSQL session limits', () => {
  it('apply by default to statements outside and inside transactions: 30 s statement, 10 s lock, 60 s idle in transaction', async () => {
    const { db } = await openFreshManager('postgres', { url: await createPostgresDatabase() });
    const [outside] = await db.executor.select<Limits>(LIMITS_SQL);
    expect(outside).toMatchObject({ statement: '30s', lock: '10s' });
    const inside = await db.transaction(async (tx) => (await tx.executor.select<Limits>(LIMITS_SQL))[0]);
    expect(inside).toEqual({ statement: '30s', lock: '10s', idle: '1min' });
    const nested = await db.transaction((tx) => tx.transaction(async (savepoint) => (await savepoint.executor.select<Limits>(LIMITS_SQL))[0]));
    expect(nested).toEqual(inside);
  });

  it('set to 0, are left to the server: the role or database setting applies, and nothing is sent ahead of a statement', async () => {
    const url = await createPostgresDatabase();
    await withClient(directUrl(url), (client) => client.query(`ALTER DATABASE "${new URL(url).pathname.slice(1)}" SET statement_timeout = '7s'`));
    const { db } = await openFreshManager('postgres', { url: withOptions(url, 'statement_timeout=0&lock_timeout=0&idle_in_transaction_session_timeout=0') });
    const [outside] = await db.executor.select<Limits>(LIMITS_SQL);
    expect(outside).toMatchObject({ statement: '7s', lock: '0' });
    const inside = await db.transaction(async (tx) => (await tx.executor.select<Limits>(LIMITS_SQL))[0]);
    expect(inside).toMatchObject({ statement: '7s', lock: '0', idle: '0' });
  });

  it('take the URL options (PostgreSQL spelling) and leave nothing behind in the session', async () => {
    const url = await createPostgresDatabase();
    const { db } = await openFreshManager('postgres', { url: withOptions(url, 'statement_timeout=4500&lock_timeout=1.5s&idle_in_transaction_session_timeout=2min') });
    expect((await db.executor.select<Limits>(LIMITS_SQL))[0]).toMatchObject({ statement: '4500ms', lock: '1500ms' });
    expect(await db.transaction(async (tx) => (await tx.executor.select<Limits>(LIMITS_SQL))[0])).toEqual({ statement: '4500ms', lock: '1500ms', idle: '2min' });
    // Every limit is local to its statement or transaction: a statement sent on the manager's own
    // pooled connections without the settings sees what a new session sees.
    const fresh = await withClient(url, async (client) => (await client.query(LIMITS_SQL)).rows[0]);
    expect(fresh).not.toMatchObject({ statement: '4500ms' });
    const pool = (db.dataSource.driver as unknown as { master: { connect(): Promise<Client & { release(): void }> } }).master;
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      for (const client of clients) expect((await client.query(LIMITS_SQL)).rows[0]).toEqual(fresh);
    } finally {
      for (const client of clients) client.release();
    }
  });

  it('a statement blocked on a row lock fails with QueryTimeoutError after the lock timeout, outside and inside a transaction', async () => {
    const url = await createPostgresDatabase();
    const { db } = await openFreshManager('postgres', { url: withOptions(url, 'lock_timeout=300&statement_timeout=20s') });
    await db.setSetting('contended', 'before');
    await holdingRowLock(url, 'contended', async () => {
      for (const attempt of [() => db.setSetting('contended', 'plain'), () => db.transaction((tx) => tx.setSetting('contended', 'in-tx'))]) {
        const started = Date.now();
        const error = await expectFailure(attempt());
        expect(error).toBeInstanceOf(QueryTimeoutError);
        expect(error.message).toMatch(/lock timeout \(DB_LOCK_TIMEOUT\)/);
        // The 0.3 s bound, not the 20 s statement timeout.
        expect(Date.now() - started).toBeLessThan(5000);
      }
    });
    expect(await db.getSettingValue('contended')).toBe('before');
  });

  it('a statement running longer than the statement timeout fails with QueryTimeoutError, outside and inside a transaction', async () => {
    const { db } = await openFreshManager('postgres', { url: withOptions(await createPostgresDatabase(), 'statement_timeout=300') });
    const outside = await expectFailure(db.executor.select('SELECT pg_sleep(5)'));
    expect(outside).toBeInstanceOf(QueryTimeoutError);
    expect(outside.message).toMatch(/statement timeout \(DB_STATEMENT_TIMEOUT\)/);
    const inside = await expectFailure(
      db.transaction(async (tx) => {
        await tx.setSetting('written-before', 'lost');
        await tx.executor.select('SELECT pg_sleep(5)');
      }),
    );
    expect(inside).toBeInstanceOf(QueryTimeoutError);
    expect(await db.getSettingValue('written-before')).toBeNull();
    await expect(db.executor.select('SELECT pg_sleep(0.05) AS slept')).resolves.toHaveLength(1);
  });

  it('a transaction left idle longer than the idle-in-transaction timeout is ended by the server: a typed error, nothing stored, the next call works', async () => {
    const { db } = await openFreshManager('postgres', { url: withOptions(await createPostgresDatabase(), 'idle_in_transaction_session_timeout=300') });
    const error = await expectFailure(
      db.transaction(async (tx) => {
        await tx.setSetting('idle-1', 'lost');
        await sleep(1500);
        await tx.setSetting('idle-2', 'lost');
      }),
    );
    // Direct, the server's reason (25P03) arrives; through a pooler the dropped client connection.
    expect(error instanceof QueryTimeoutError || error instanceof DatabaseUnavailableError).toBe(true);
    if (error instanceof QueryTimeoutError) expect(error.message).toMatch(/idle-in-transaction timeout/);
    expect(await db.getSettingValue('idle-1')).toBeNull();
    await expect(db.setSetting('after-idle', 'ok')).resolves.toMatchObject({ value: 'ok' });
    // An outermost transaction with retries is not retried for it: only conflicts are.
    expect(error).not.toBeInstanceOf(TransactionConflictError);
  });

  it('a migration run lifts them for its own transaction: it waits for another run past the limits, then they hold again', async () => {
    const url = await createPostgresDatabase();
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    // Limits a DBA may set on the database, plus the same limits in the URL.
    await withClient(directUrl(url), (admin) => admin.query(`ALTER DATABASE "${name}" SET statement_timeout = '200ms'; ALTER DATABASE "${name}" SET lock_timeout = '200ms'`));
    await withClient(url, async (other) => {
      // Another process's migration run holds the lock for 1.5 s.
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [PG_MIGRATION_LOCK_CLASS]);
      const started = Date.now();
      const opening = DatabaseManager.open({ url: withOptions(url, 'statement_timeout=200&lock_timeout=200'), env: {}, logger: { info: () => undefined, warn: () => undefined } });
      await sleep(1500);
      await other.query('COMMIT');
      const db = await opening;
      try {
        expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
        expect((await db.health()).migrations.pending).toEqual([]);
        expect((await db.executor.select<Limits>(LIMITS_SQL))[0]).toMatchObject({ statement: '200ms', lock: '200ms' });
      } finally {
        await db.close();
      }
    });
  });
});

describe('PostgreSQL results do not depend on the session time zone', () => {
  it('a database whose time zone is Pacific/Chatham (+13:45) stores and compares the same instants', async () => {
    const url = await createPostgresDatabase();
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    await withClient(directUrl(url), (admin) => admin.query(`ALTER DATABASE "${name}" SET timezone TO 'Pacific/Chatham'`));
    let now = new Date('2026-03-01T23:50:00.123Z'); // 12:35 the next day in Chatham
    const { db } = await openFreshManager('postgres', { url, clock: () => now });
    expect((await db.executor.select<{ tz: string }>('SELECT current_setting($1) AS tz', ['TimeZone']))[0].tz).toBe('Pacific/Chatham');

    const started = now;
    const execution = await db.createScheduleExecution('schedule-1', 'agent-1', 'run');
    expect(execution.started_at).toEqual(started);
    expect((await db.getAgentExecutions('agent-1', 10))[0].started_at).toEqual(started);
    const [stored] = await db.executor.select<{ same: boolean }>('SELECT started_at = ?::timestamptz AS same FROM schedule_executions WHERE id = ?', [
      '2026-03-01T23:50:00.123Z',
      execution.id,
    ]);
    expect(stored.same).toBe(true);

    // A 1-hour window: in it 30 minutes later, out of it 2 hours later (across the local and UTC dates).
    now = new Date(started.getTime() + 30 * 60_000);
    expect((await db.getAllAgentsExecutionStats(1)).map((s) => s.name)).toEqual(['agent-1']);
    now = new Date(started.getTime() + 120 * 60_000);
    expect(await db.getAllAgentsExecutionStats(1)).toEqual([]);
  });
});
