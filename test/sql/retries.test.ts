/**
 * Retries of transactions that fail with a serialization failure or a deadlock
 * (TransactionConflictError, PostgreSQL 40001 / 40P01): `db.transaction(fn, { retries })` and the
 * package's own multi-statement writes (BaseRepository.atomically). The deadlocks are real: two
 * transactions on two connections lock two rows in opposite orders, and the server aborts one.
 */
import { Client } from 'pg';
import { InputValidationError, TransactionConflictError, TransactionUsageError } from '../../src/errors';
import type { DatabaseManager } from '../../src/manager';
import { DRIVERS, cleanupTestDatabases, createPostgresDatabase, directUrl } from '../support/databases';
import { closeManagers, openFreshManager, settle } from '../support/reliability-helpers';

afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `count` callers have arrived. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === count) open();
    return opened;
  };
}

const BUMP = `UPDATE system_settings SET value = CAST(CAST(value AS integer) + 1 AS text) WHERE key = ?`;

async function counters(db: DatabaseManager): Promise<Record<string, string | null>> {
  return { a: await db.getSettingValue('a'), b: await db.getSettingValue('b') };
}

/** Number of deadlocks the server has detected in this database (statistics are flushed lazily). */
async function deadlocks(db: DatabaseManager): Promise<number> {
  const [row] = await db.executor.select<{ n: string }>('SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(row.n);
}

async function deadlocksAtLeast(db: DatabaseManager, expected: number): Promise<number> {
  let seen = 0;
  for (let i = 0; i < 50 && (seen = await deadlocks(db)) < expected; i++) await sleep(200);
  return seen;
}

/**
 * Two transactions that each bump row `first`, wait until both have, then bump the other row: a
 * deadlock on their first attempt. Returns each one's outcome and attempt count.
 */
async function opposingTransactions(db: DatabaseManager, retries: number) {
  const bothLocked = barrier(2);
  const attempts = { ab: 0, ba: 0 };
  const run = (name: 'ab' | 'ba', first: string, second: string) =>
    settle(
      db.transaction(
        async (tx) => {
          attempts[name]++;
          await tx.executor.execute(BUMP, [first]);
          if (attempts[name] === 1) await bothLocked();
          await tx.executor.execute(BUMP, [second]);
        },
        { retries },
      ),
    );
  const [ab, ba] = await Promise.all([run('ab', 'a', 'b'), run('ba', 'b', 'a')]);
  return { ab, ba, attempts };
}

describe('transaction retries on postgres', () => {
  let db: DatabaseManager;
  beforeEach(async () => {
    ({ db } = await openFreshManager('postgres', { url: await createPostgresDatabase() }));
    await db.setSetting('a', '0');
    await db.setSetting('b', '0');
  });

  it('without retries, a real deadlock fails one of two transactions with TransactionConflictError (40P01); the other commits', async () => {
    const before = await deadlocks(db);
    const { ab, ba, attempts } = await opposingTransactions(db, 0);
    const failed = [ab, ba].filter((o) => !o.ok);
    expect(failed).toHaveLength(1);
    const error = (failed[0] as { error: unknown }).error;
    expect(error).toBeInstanceOf(TransactionConflictError);
    expect(error).toMatchObject({ code: '40P01' });
    expect((error as Error).message).toMatch(/deadlock detected; the transaction was rolled back and may be retried/);
    expect(attempts).toEqual({ ab: 1, ba: 1 });
    // The winner's two bumps only.
    expect(await counters(db)).toEqual({ a: '1', b: '1' });
    expect(await deadlocksAtLeast(db, before + 1)).toBeGreaterThanOrEqual(before + 1);
  });

  it('with retries, the deadlock victim runs again after a backoff and both transactions commit', async () => {
    const before = await deadlocks(db);
    const { ab, ba, attempts } = await opposingTransactions(db, 2);
    expect(ab.ok && ba.ok).toBe(true);
    // Exactly one of them was the victim and ran twice.
    expect([attempts.ab, attempts.ba].sort()).toEqual([1, 2]);
    expect(await counters(db)).toEqual({ a: '2', b: '2' });
    expect(await deadlocksAtLeast(db, before + 1)).toBeGreaterThanOrEqual(before + 1);
  });

  it('a serialization failure (40001) is retried the same way', async () => {
    const bothRead = barrier(2);
    const attempts = { first: 0, second: 0 };
    // Write skew under SERIALIZABLE: each reads both rows, then writes one of them.
    const run = (name: 'first' | 'second', key: string) =>
      settle(
        db.transaction(
          async (tx) => {
            attempts[name]++;
            await tx.executor.execute('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
            const rows = await tx.executor.select<{ total: string }>(`SELECT SUM(CAST(value AS integer)) AS total FROM system_settings WHERE key IN ('a', 'b')`);
            if (attempts[name] === 1) await bothRead();
            await tx.executor.execute(`UPDATE system_settings SET value = ? WHERE key = ?`, [String(Number(rows[0].total) + 1), key]);
          },
          { retries: 2 },
        ),
      );
    const outcomes = await Promise.all([run('first', 'a'), run('second', 'b')]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect([attempts.first, attempts.second].sort()).toEqual([1, 2]);
    // Serial order: one wrote 0+0+1, the retried one saw it and wrote 1+0+1.
    expect(Object.values(await counters(db)).sort()).toEqual(['1', '2']);
  });

  it("the package's own multi-statement writes retry a deadlock themselves (setAgentTags against another client's transaction)", async () => {
    // The deadlock is detected by the backend whose deadlock_timeout expires while the cycle
    // exists. setAgentTags waits first, with 3 s; the other client closes the cycle well within
    // that and waits with 60 s: so setAgentTags' backend detects it and is the one aborted.
    const tagsUrl = await createPostgresDatabase();
    const name = decodeURIComponent(new URL(tagsUrl).pathname.slice(1));
    const admin = new Client({ connectionString: directUrl(tagsUrl) });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${name}" SET deadlock_timeout = '3s'`);
    await admin.end();
    const { db: tagsDb } = await openFreshManager('postgres', { url: tagsUrl });
    await tagsDb.setAgentTags('agent-1', ['old']);
    const before = await deadlocks(tagsDb);
    // The other transaction locks the agent's tag rows, lets setAgentTags block on them while it
    // holds its key lock, then asks for that key lock: a cycle. setAgentTags is aborted and runs
    // again (its own retry) once the other has committed.
    const other = new Client({ connectionString: tagsUrl });
    await other.connect();
    let tagsCall: Promise<string[]>;
    try {
      await other.query('BEGIN');
      await other.query(`SET LOCAL deadlock_timeout = '60s'`);
      await other.query(`DELETE FROM agent_tags WHERE agent_name = $1`, ['agent-1']);
      tagsCall = tagsDb.setAgentTags('agent-1', ['fresh', 'tags']);
      // Watched from outside the transaction: inside one, pg_stat_activity is a snapshot taken once.
      let waiting = false;
      for (let i = 0; i < 400 && !waiting; i++) {
        const [row] = await tagsDb.executor.select<{ waiting: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()) AS waiting`,
        );
        waiting = row.waiting;
        if (!waiting) await sleep(25);
      }
      expect(waiting).toBe(true);
      await other.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, ['agent_tags:agent-1']);
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    await expect(tagsCall).resolves.toEqual(['fresh', 'tags']);
    expect(await tagsDb.getAgentTags('agent-1')).toEqual(['fresh', 'tags']);
    expect(await deadlocksAtLeast(tagsDb, before + 1)).toBeGreaterThanOrEqual(before + 1);
  });
});

describe.each(DRIVERS)('transaction retry options on %s', (driver) => {
  it('are bounded integers; a savepoint refuses them; a transaction that succeeds runs once', async () => {
    const { db } = await openFreshManager(driver);
    for (const retries of [-1, 1.5, 11, Number.NaN]) {
      const outcome = await settle(db.transaction(async () => undefined, { retries }));
      expect((outcome as { error: unknown }).error).toBeInstanceOf(InputValidationError);
      expect(String((outcome as { error: Error }).error.message)).toMatch(/^retries: expected an integer from 0 to 10/);
    }
    const nested = await settle(db.transaction((tx) => tx.transaction(async () => undefined, { retries: 1 })));
    expect((nested as { error: unknown }).error).toBeInstanceOf(TransactionUsageError);
    expect(String((nested as { error: Error }).error.message)).toMatch(/a savepoint cannot be retried/);
    let runs = 0;
    await db.transaction(
      async (tx) => {
        runs++;
        await tx.setSetting('once', '1');
      },
      { retries: 3 },
    );
    expect(runs).toBe(1);
    // Other failures are never retried.
    runs = 0;
    const failed = await settle(
      db.transaction(
        async () => {
          runs++;
          throw new Error('not a conflict');
        },
        { retries: 3 },
      ),
    );
    expect(failed.ok).toBe(false);
    expect(runs).toBe(1);
  });
});
