/**
 * Faults reaching the executors come out as the package's typed errors, naming the database (never a
 * password), and no error holds a parameter value: each failing call below carries a planted secret,
 * and `util.inspect` and `JSON.stringify` of its error must not show it. PostgreSQL pool settings
 * (DB_POOL_SIZE, DB_STATEMENT_TIMEOUT, ...) are read from the environment when a manager opens.
 */
import { inspect } from 'util';
import { Client } from 'pg';
import {
  DatabaseQueryError,
  DatabaseUnavailableError,
  InputValidationError,
  PoolExhaustedError,
  QueryTimeoutError,
  TrinityDbError,
  UniqueConstraintError,
} from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { cleanupTestDatabases, createPostgresDatabase, directUrl, emptyDatabaseUrl } from '../support/databases';
import { closeManagers, settle, trackManager } from '../support/reliability-helpers';

const SECRET = 'xoxb-PLANTED-S3CRET-7f3a';

afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

const QUIET = { info: () => undefined, warn: () => undefined };

/** Opens a manager with some DB_* variables set for the duration of open() (the pool reads them then). */
async function openWith(url: string, variables: Record<string, string>): Promise<DatabaseManager> {
  const saved = Object.fromEntries(Object.keys(variables).map((k) => [k, process.env[k]]));
  Object.assign(process.env, variables);
  try {
    return trackManager(await DatabaseManager.open({ url, env: {}, logger: QUIET }));
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** The error of a call that must fail: typed, secret-free in every rendering. */
async function failure(promise: Promise<unknown>): Promise<TrinityDbError> {
  const outcome = await settle(promise);
  expect(outcome.ok).toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(TrinityDbError);
  for (const rendering of [inspect(error, { depth: 8, showHidden: true }), JSON.stringify(error), String((error as Error).stack)]) {
    expect(rendering).not.toContain(SECRET);
  }
  return error as TrinityDbError;
}

function adminUrl(): string {
  return process.env.TRINITY_TEST_PG_ADMIN_URL!;
}

async function withAdmin<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('PostgreSQL pool settings hold on every pooled connection', () => {
  it('open() works with a pool of one connection, and the manager serves calls and transactions on it', async () => {
    const db = await openWith(await createPostgresDatabase(), { DB_POOL_SIZE: '1', DB_POOL_MAX_OVERFLOW: '0', DB_POOL_TIMEOUT: '5' });
    expect((await db.health()).pool.max).toBe(1);
    await db.setSetting('one', '1');
    await db.transaction(async (tx) => tx.setSetting('two', '2'));
    expect(await db.getSettingValue('two')).toBe('2');
  });

  it('DB_STATEMENT_TIMEOUT still holds after open() (the migration lock lifts it only for its own transaction)', async () => {
    const url = await createPostgresDatabase();
    const db = await openWith(url, { DB_POOL_SIZE: '1', DB_POOL_MAX_OVERFLOW: '0', DB_STATEMENT_TIMEOUT: '1' });
    await db.setSetting('locked', 'before');
    await withAdmin(url, async (other) => {
      await other.query('BEGIN');
      await other.query(`SELECT * FROM system_settings WHERE key = 'locked' FOR UPDATE`);
      const started = Date.now();
      const error = await failure(db.setSetting('locked', SECRET));
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(QueryTimeoutError);
      expect(error.message).toMatch(/statement timeout/);
      // The configured 1 s bound, not the absence of one (without it the call waits for the lock holder).
      expect(elapsed).toBeLessThan(3000);
      await other.query('ROLLBACK');
    });
    expect(await db.getSettingValue('locked')).toBe('before');
  });

  it('an exhausted pool fails a waiting call with PoolExhaustedError naming the pool size', async () => {
    const db = await openWith(await createPostgresDatabase(), { DB_POOL_SIZE: '1', DB_POOL_MAX_OVERFLOW: '0', DB_POOL_TIMEOUT: '0.5' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const transaction = db.transaction(async (tx) => {
      await tx.setSetting('holder', '1');
      entered();
      await held;
    });
    await inside;
    const error = await failure(db.getUserByUsername(SECRET));
    expect(error).toBeInstanceOf(PoolExhaustedError);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as PoolExhaustedError).poolMax).toBe(1);
    expect(error.message).toMatch(/all 1 connections of the pool are in use/);
    release();
    await transaction;
    expect(await db.getSettingValue('holder')).toBe('1');
  });
});

describe('PostgreSQL faults as typed errors', () => {
  it('the server ends the connection of an open transaction: DatabaseUnavailableError, nothing stored, the next call works', async () => {
    const url = await createPostgresDatabase();
    const db = await openWith(url, {});
    const outcome = await settle(
      db.transaction(async (tx) => {
        await tx.setSetting('in-killed-tx', 'lost');
        const [{ pid }] = await tx.executor.select<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await withAdmin(adminUrl(), (admin) => admin.query('SELECT pg_terminate_backend($1)', [pid]));
        await tx.setSetting('after-kill', SECRET);
      }),
    );
    expect(outcome.ok).toBe(false);
    const error = await failure(Promise.reject((outcome as { error: unknown }).error));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toContain(url.replace(/:[^:@/]+@/, ':***@'));
    expect(await db.getSettingValue('in-killed-tx')).toBeNull();
    await expect(db.setSetting('next', 'ok')).resolves.toMatchObject({ value: 'ok' });
  });

  // The server's own limit, so on a direct connection: behind a transaction pooler the role's one
  // server connection is shared by every client (test/sql/pgbouncer.test.ts covers the pooler's limit).
  it('max_connections (or a role connection limit) reached: DatabaseUnavailableError, not the raw server message', async () => {
    const url = directUrl(await createPostgresDatabase());
    const role = `trinity_limited_${process.pid}`;
    await withAdmin(adminUrl(), (admin) => admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'limited-pw' CONNECTION LIMIT 1`));
    try {
      const roleUrl = new URL(url);
      roleUrl.username = role;
      roleUrl.password = 'limited-pw';
      await withAdmin(roleUrl.toString(), async () => {
        const error = await failure(DatabaseManager.open({ url: roleUrl.toString(), env: {}, logger: QUIET }));
        expect(error).toBeInstanceOf(DatabaseUnavailableError);
        expect(error.message).toMatch(/no free connection slots/);
        expect(error.message).not.toContain('limited-pw');
      });
    } finally {
      await withAdmin(adminUrl(), (admin) => admin.query(`DROP ROLE IF EXISTS ${role}`));
    }
  });

  it('a wrong password: DatabaseUnavailableError naming the masked URL', async () => {
    const url = new URL(await createPostgresDatabase());
    url.password = SECRET;
    const error = await failure(DatabaseManager.open({ url: url.toString(), env: {}, logger: QUIET }));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toMatch(/authentication failed/);
    expect(error.message).toContain(':***@');
  });

  it('sslmode=require on a server without TLS: DatabaseUnavailableError naming the database', async () => {
    const url = `${await createPostgresDatabase()}?sslmode=require`;
    const error = await failure(DatabaseManager.open({ url, env: {}, logger: QUIET }));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toMatch(/does not support TLS/);
    expect(error.message).toContain('sslmode=require');
  });

  it('statement errors keep no parameter value: unique violations, quoted bad values, trigger failures', async () => {
    const db = await openWith(await createPostgresDatabase(), {});
    await db.setSetting(SECRET, 'v');
    const duplicate = await failure(db.executor.execute(`INSERT INTO system_settings (key, value, updated_at) VALUES (?, 'x', now())`, [SECRET]));
    expect(duplicate).toBeInstanceOf(UniqueConstraintError);
    const badInteger = await failure(db.executor.select('SELECT CAST(? AS integer) AS n', [SECRET]));
    expect(badInteger).toBeInstanceOf(InputValidationError);
    // PostgreSQL quotes the value in this message ('invalid input syntax for type ...: "<value>"'): it is cut off.
    const badTimestamp = await failure(db.executor.select('SELECT CAST(? AS timestamptz) AS t', [SECRET]));
    expect(badTimestamp).toBeInstanceOf(DatabaseQueryError);
    expect(badTimestamp.message).toMatch(/invalid input syntax for type timestamp with time zone$/);
    await db.executor.execute(
      `CREATE FUNCTION refuse_workspace() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'workspace refused' USING DETAIL = NEW.bot_token; END $$`,
    );
    await db.executor.execute('CREATE TRIGGER refuse_workspace BEFORE INSERT ON slack_workspaces FOR EACH ROW EXECUTE FUNCTION refuse_workspace()');
    process.env.CREDENTIAL_ENCRYPTION_KEY ??= '6f'.repeat(32);
    const refused = await failure(db.executor.execute(`INSERT INTO slack_workspaces (id, team_id, bot_token) VALUES ('w', 't', ?)`, [SECRET]));
    expect(refused).toBeInstanceOf(DatabaseQueryError);
    expect(refused.message).toMatch(/workspace refused/);
  });
});

describe('SQLite faults as typed errors', () => {
  it('a full disk (the file reached its page limit): DatabaseUnavailableError naming the file; nothing half-written', async () => {
    const url = await emptyDatabaseUrl('sqlite');
    const db = await openWith(url, {});
    await db.setSetting('small', 'kept');
    const connection = (db.dataSource.driver as unknown as { databaseConnection: { pragma(s: string, o?: object): unknown } }).databaseConnection;
    const pages = connection.pragma('page_count', { simple: true }) as number;
    connection.pragma(`max_page_count = ${pages + 2}`);
    const error = await failure(db.transaction(async (tx) => {
      await tx.setSetting('first', 'lost');
      await tx.setSetting('big', SECRET + 'x'.repeat(200_000));
    }));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toMatch(/disk is full/);
    expect(error.message).toContain(url.replace(/^sqlite:\/\/\//, ''));
    connection.pragma('max_page_count = 1073741823');
    expect(await db.getSettingValue('first')).toBeNull();
    expect(await db.getSettingValue('small')).toBe('kept');
    await expect(db.setSetting('after', 'ok')).resolves.toMatchObject({ value: 'ok' });
  });
});
