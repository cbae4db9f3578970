/**
 * The executor seam (src/sql/executor.ts): what a repository call and a transaction do on each driver.
 * - a transaction that resolved stays committed, whatever code started inside its callback does later;
 * - work started inside a callback that runs after the transaction ended is an ordinary caller;
 * - the manager a transaction was opened from refuses calls from inside its callback (both drivers,
 *   at once, nothing stored), and a `tx` refuses calls after its transaction ended;
 * - nested transactions are savepoints: a failed one undoes only its own writes;
 * - statements report rows and counts, constraint violations are typed, nothing else is.
 */
import Database from 'better-sqlite3';
import { DatabaseQueryError, TransactionAbortedError, TransactionUsageError, UniqueConstraintError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { closeManagers, openFreshManager, settle } from '../support/reliability-helpers';

afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

/** A statement that fails inside the database when the key exists (not a check the package makes before it). */
const DUPLICATE_SETTING = `INSERT INTO system_settings (key, value, updated_at) VALUES (?, 'x', '2026-01-01T00:00:00')`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A value read straight from the database file or server, past every cache of the manager. */
async function storedSetting(db: DatabaseManager, key: string): Promise<string | null> {
  const sql = db.dataSource.driverName === 'postgres' ? 'SELECT value FROM system_settings WHERE key = $1' : 'SELECT value FROM system_settings WHERE key = ?';
  const rows: { value: string }[] = await db.dataSource.query(sql, [key]);
  return rows.length ? rows[0].value : null;
}

describe.each(DRIVERS)('transactions on %s', (driver) => {
  it('a resolved transaction stays committed when a transaction scheduled from an earlier callback fails later', async () => {
    const { db, url } = await openFreshManager(driver);
    let background: Promise<unknown> = Promise.resolve();
    await db.transaction(async (tx) => {
      await tx.setSetting('earlier', '1');
      setTimeout(() => {
        background = db
          .transaction(async (t) => {
            await t.setSetting('bg', 'x');
            await sleep(400);
            throw new Error('bg failed');
          })
          .catch((error: unknown) => error);
      }, 50);
    });
    await db.transaction(async (tx) => {
      await tx.setSetting('caller-A', 'committed');
      await tx.createUser({ username: 'a' });
      await sleep(200);
    });
    expect(await db.getSettingValue('caller-A')).toBe('committed');
    await sleep(500);
    expect(await background).toEqual(new Error('bg failed'));
    // Still there, in the manager and in storage; the failed background transaction left nothing.
    expect(await db.getSettingValue('caller-A')).toBe('committed');
    expect(await db.getUserByUsername('a')).toMatchObject({ username: 'a' });
    expect(await storedSetting(db, 'caller-A')).toBe('committed');
    expect(await storedSetting(db, 'earlier')).toBe('1');
    expect(await storedSetting(db, 'bg')).toBeNull();
    if (driver === 'sqlite') {
      await db.close();
      const file = new Database(url.replace(/^sqlite:\/\/\//, ''), { readonly: true });
      try {
        expect(file.prepare(`SELECT value FROM system_settings WHERE key = 'caller-A'`).get()).toEqual({ value: 'committed' });
        expect(file.prepare(`SELECT username FROM users WHERE username = 'a'`).get()).toEqual({ username: 'a' });
      } finally {
        file.close();
      }
    }
  });

  it('a call fired by a timer set inside a callback, while another transaction is open, is stored even when that one rolls back', async () => {
    const { db } = await openFreshManager(driver);
    let fired: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      await tx.setSetting('inside', 'yes');
      setTimeout(() => (fired = db.setSetting('from-timer', 'stored')), 30);
    });
    // The timer fires while this other caller's transaction is open; it then rolls back.
    await expect(
      db.transaction(async (tx) => {
        await tx.setSetting('rolled-back', 'no');
        await sleep(150);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    await sleep(20);
    await expect(fired).resolves.toMatchObject({ key: 'from-timer', value: 'stored' });
    expect(await storedSetting(db, 'from-timer')).toBe('stored');
    expect(await storedSetting(db, 'rolled-back')).toBeNull();
    expect(await storedSetting(db, 'inside')).toBe('yes');
  });

  it('the outer manager used inside a callback is refused at once (reads, writes and transactions), and nothing it was asked is stored', async () => {
    const { db } = await openFreshManager(driver);
    const outcomes = await db.transaction(async (tx) => {
      await tx.setSetting('tx-setting', 'kept');
      const results = [await settle(db.setSetting('outer-write', 'lost')), await settle(db.getSettingValue('tx-setting')), await settle(db.transaction(async (t) => t.setSetting('outer-tx', 'lost')))];
      // The transaction itself is unharmed and commits.
      expect(await tx.getSettingValue('tx-setting')).toBe('kept');
      return results;
    });
    for (const outcome of outcomes) {
      expect(outcome.ok).toBe(false);
      const error = (outcome as { error: Error }).error;
      expect(error).toBeInstanceOf(TransactionUsageError);
      expect(error.message).toMatch(/use the handle the callback receives/);
    }
    expect(await storedSetting(db, 'tx-setting')).toBe('kept');
    expect(await storedSetting(db, 'outer-write')).toBeNull();
    expect(await storedSetting(db, 'outer-tx')).toBeNull();
    // Afterwards the same manager works as usual.
    await expect(db.setSetting('after', 'ok')).resolves.toMatchObject({ value: 'ok' });
  });

  it('a tx used after its transaction ended is refused, and what it was asked is not stored', async () => {
    const { db } = await openFreshManager(driver);
    let leaked: DatabaseManager | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
      await tx.setSetting('in-tx', '1');
    });
    await expect(leaked!.setSetting('late', 'lost')).rejects.toBeInstanceOf(TransactionUsageError);
    await expect(leaked!.getSettingValue('in-tx')).rejects.toThrow(/already ended/);
    // Meanwhile another caller's transaction is open: the leaked tx must not land in it either.
    await db.transaction(async (tx) => {
      await tx.setSetting('other', '2');
      await expect(leaked!.setSetting('late-2', 'lost')).rejects.toBeInstanceOf(TransactionUsageError);
    });
    expect(await storedSetting(db, 'late')).toBeNull();
    expect(await storedSetting(db, 'late-2')).toBeNull();
    expect(await storedSetting(db, 'other')).toBe('2');
  });

  it('a nested transaction is a savepoint: its failure undoes only its own writes', async () => {
    const { db } = await openFreshManager(driver);
    await db.transaction(async (tx) => {
      await tx.setSetting('outer', 'kept');
      await expect(
        tx.transaction(async (inner) => {
          await inner.setSetting('inner', 'undone');
          await inner.createUser({ username: 'inner-user' });
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
      await tx.transaction(async (inner) => inner.setSetting('inner-ok', 'kept'));
      // The outer level waits for nothing and refuses nothing once the savepoint is gone.
      await tx.setSetting('outer-2', 'kept');
    });
    expect(await storedSetting(db, 'outer')).toBe('kept');
    expect(await storedSetting(db, 'outer-2')).toBe('kept');
    expect(await storedSetting(db, 'inner-ok')).toBe('kept');
    expect(await storedSetting(db, 'inner')).toBeNull();
    expect(await db.getUserByUsername('inner-user')).toBeNull();
  });

  it('a method that handles its own failure (a savepoint of its own) leaves the caller transaction usable', async () => {
    const { db } = await openFreshManager(driver);
    await db.createUser({ username: 'owner' });
    await db.transaction(async (tx) => {
      await tx.setSetting('before', 'kept');
      await tx.registerAgentOwner('from-agent', 'owner');
      await tx.registerAgentOwner('to-agent', 'owner');
      // An orphan row under the new name makes the rename fail inside the database; it answers false.
      await tx.addAgentTag('to-agent', 'dup');
      await tx.addAgentTag('from-agent', 'dup');
      expect(await tx.renameAgent('from-agent', 'to-agent')).toBe(false);
      expect(await tx.createSchedule('to-agent', 'owner', { name: 'n', cron_expression: '0 9 * * *', message: 'm' })).not.toBeNull();
      await tx.setSetting('after', 'kept');
    });
    expect(await storedSetting(db, 'before')).toBe('kept');
    expect(await storedSetting(db, 'after')).toBe('kept');
    expect((await db.getAgentOwner('from-agent'))?.agent_name).toBe('from-agent');
  });

  it('after a failed statement whose error the callback caught, the transaction only rolls back, on both drivers', async () => {
    const { db } = await openFreshManager(driver);
    await db.createUser({ username: 'taken' });
    const outcome = await settle(
      db.transaction(async (tx) => {
        await tx.setSetting('before', 'lost');
        await expect(tx.executor.execute(DUPLICATE_SETTING, ['before'])).rejects.toBeInstanceOf(UniqueConstraintError);
        await expect(tx.setSetting('after', 'lost')).rejects.toBeInstanceOf(TransactionAbortedError);
        return 'resolved anyway';
      }),
    );
    // Never a silent loss: the transaction did not commit, and says so.
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: unknown }).error).toBeInstanceOf(TransactionAbortedError);
    expect(await storedSetting(db, 'before')).toBeNull();
    expect(await storedSetting(db, 'after')).toBeNull();
    // A failure inside a nested transaction is undone with it; the outer one goes on.
    await db.transaction(async (tx) => {
      await tx.setSetting('outer', 'kept');
      await expect(tx.transaction((inner) => inner.executor.execute(DUPLICATE_SETTING, ['outer']))).rejects.toBeInstanceOf(UniqueConstraintError);
      await tx.setSetting('outer-2', 'kept');
    });
    expect(await storedSetting(db, 'outer')).toBe('kept');
    expect(await storedSetting(db, 'outer-2')).toBe('kept');
  });

  it('concurrent transactions and plain calls on one manager: every write of every resolved call is stored', async () => {
    const { db } = await openFreshManager(driver);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      calls.push(
        db.transaction(async (tx) => {
          await tx.setSetting(`tx-${i}`, String(i));
          await sleep(i % 3);
          if (i % 4 === 0) throw new Error(`planned ${i}`);
        }),
      );
      calls.push(db.setSetting(`plain-${i}`, String(i)));
    }
    const settled = await Promise.allSettled(calls);
    for (let i = 0; i < 20; i++) {
      expect(settled[2 * i + 1].status).toBe('fulfilled');
      expect(settled[2 * i].status).toBe(i % 4 === 0 ? 'rejected' : 'fulfilled');
      expect(await storedSetting(db, `plain-${i}`)).toBe(String(i));
      expect(await storedSetting(db, `tx-${i}`)).toBe(i % 4 === 0 ? null : String(i));
    }
  });
});

describe.each(DRIVERS)('statements through the executor on %s', (driver) => {
  it('returns rows and affected counts, and types constraint and other statement errors', async () => {
    const ds = await openTestDataSource(driver);
    const users = new UserRepository(ds.executor);
    const alice = await users.createUser({ username: 'alice', email: 'alice@example.com' });
    expect(await users.getUserByUsername('alice')).toEqual(alice);
    expect(await users.updateUserPassword('alice', 'hash')).toBe(true);
    expect(await users.updateUserPassword('nobody', 'hash')).toBe(false);
    expect(await ds.executor.execute('UPDATE users SET name = ? WHERE username IN (?, ?)', ['N', 'alice', 'nobody'])).toEqual({ affected: 1 });
    const duplicate = await users.createUser({ username: 'alice' }).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(UniqueConstraintError);
    expect((duplicate as Error).message).toBe('UNIQUE constraint failed: users.username');
    const bad = await ds.executor.select('SELECT no_such_column FROM users WHERE username = ?', ['planted-value']).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(DatabaseQueryError);
    expect((bad as DatabaseQueryError).code).toBe(driver === 'sqlite' ? 'SQLITE_ERROR' : '42703');
    expect((bad as Error).message).toMatch(/no_such_column/);
  });

  it('reports statements to the logger when query logging is on, without their parameters', async () => {
    const queries: string[] = [];
    const logger = {
      logQuery: (query: string, parameters?: unknown[]) => void queries.push(`${query} ${JSON.stringify(parameters ?? null)}`),
      logQueryError: () => undefined,
      logQuerySlow: () => undefined,
      logSchemaBuild: () => undefined,
      logMigration: () => undefined,
      log: () => undefined,
    };
    const ds = await openTestDataSource(driver, { logging: ['query'], logger });
    queries.length = 0;
    await new UserRepository(ds.executor).getUserByUsername('secret-looking-username');
    expect(queries.some((q) => /FROM users WHERE username = /.test(q))).toBe(true);
    expect(queries.join('\n')).not.toContain('secret-looking-username');
  });
});
