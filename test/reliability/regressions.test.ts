/**
 * Reliability (#10): regression tests for the defects these suites found in src (races of
 * get-or-create and list replacements on PostgreSQL, untyped errors for an unreachable or unusable
 * database, long / NUL / unpaired-surrogate / wrongly typed strings, deferred SQLite transactions
 * across processes). docs/RELIABILITY.md → "Defects found and fixed" describes each one.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'child_process';
import fc from 'fast-check';
import path from 'path';
import { inspect } from 'util';
import { TrinityDbError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { DRIVERS, cleanupTestDatabases, scratchDir } from '../support/databases';
import {
  closeManagers,
  describeError,
  ensureEncryptionKey,
  openFreshManager,
  openOutageManager,
  openSentinelManager,
  sentinelSnapshot,
  settle,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../support/reliability-helpers';
import { BIG, NUL, SURROGATES, WRONG_TYPES, failureLines, hostileScan, isDocumentedUserNotFound } from '../support/reliability-hostile';
import { GET_OR_CREATE_CASES, POSTGRES_RACE_BUGS, RACERS, raceCase, setRaceRound, startBusyWriter } from '../support/reliability-races';
import { anyText, payloadRoundTripFailures } from '../support/reliability-roundtrips';

const SEED = 20261125;

beforeAll(() => ensureEncryptionKey());
afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

// ------------------------------------------------------------------------------------------------
// concurrency (belongs in concurrency.test.ts once fixed)

describe('[concurrency] concurrent get-or-create / replace calls on postgres', () => {
  let db: DatabaseManager;
  beforeAll(async () => {
    db = (await openFreshManager('postgres')).db;
    await db.createUser({ username: 'owner', email: 'owner@example.com' });
  });

  // A race may happen not to collide in one round: up to 5 rounds on fresh keys, every one must be clean.
  it.each(POSTGRES_RACE_BUGS)('%s: no failure, no duplicate', async (name) => {
    const testCase = GET_OR_CREATE_CASES.find((c) => c.name === name)!;
    try {
      for (let round = 1; round <= 5; round++) {
        setRaceRound(round);
        const outcome = await raceCase(db, testCase, RACERS);
        expect({ round, errors: outcome.errors }).toEqual({ round, errors: [] });
        expect({ round, rows: outcome.rows }).toEqual({ round, rows: testCase.expectedRows });
        outcome.check();
      }
    } finally {
      setRaceRound(0);
    }
  });
});

describe('[concurrency] another process writing the same SQLite file', () => {
  it('read-then-write transactions (recordPublicLinkUsage) wait for the other writer instead of failing with "database is locked"', async () => {
    const { db, url } = await openFreshManager('sqlite', { url: `sqlite:///${path.join(scratchDir(), 'shared.db')}?timeout=20` });
    const file = url.replace(/^sqlite:\/\/\//, '').replace(/\?.*$/, '');
    const writer = await startBusyWriter(file, 1500);
    const CALLS = 40;
    const settled = await Promise.allSettled(Array.from({ length: CALLS }, () => db.recordPublicLinkUsage('shared-link', 'visitor@example.com', '10.0.0.1')));
    expect(await writer.done).toMatchObject({ code: 0, stderr: '' });
    const errors = settled.flatMap((r) => (r.status === 'rejected' ? [describeError(r.reason)] : []));
    expect(errors).toEqual([]);
    expect((await db.getPublicLinkUsageStats('shared-link')).total_messages).toBe(CALLS);
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------
// faults (belong in faults.test.ts once fixed)

describe('[faults] PostgreSQL unavailable', () => {
  const PASSWORD = 'Known-Bug-Outage-Pw';
  let server: PrivatePostgres | undefined;
  afterAll(async () => {
    await closeManagers();
    await server?.dispose();
  });

  it('calls during an outage fail with a typed error that names the database as unavailable (masked URL, no password)', async () => {
    server = await startPrivatePostgres(PASSWORD);
    const db = await openOutageManager(server);
    await db.setSetting('before', 'kept');
    await server.stop();
    const outcomes = [await settle(db.getSettingValue('before')), await settle(db.setSetting('during', 'x')), await settle(db.health())];
    await server.start();
    const problems: string[] = [];
    for (const outcome of outcomes) {
      const error = (outcome as { error?: unknown }).error;
      const text = `${(error as Error)?.message}`;
      if (outcome.ok) problems.push('call succeeded during the outage');
      else if (!(error instanceof TrinityDbError)) problems.push(`untyped: ${describeError(error)}`);
      else if (!/unavailable|unreachable|cannot connect|connection/i.test(text) || !text.includes('postgresql://postgres:***@127.0.0.1')) problems.push(`unclear: ${text}`);
      if (inspect(error).includes(PASSWORD)) problems.push('password in the error');
    }
    expect(problems).toEqual([]);
  });
});

function makeImmutable(file: string): () => void {
  // As root, file modes do not stop writes; the immutable attribute does.
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', file]);
    return () => execFileSync('chattr', ['-i', file]);
  }
  execFileSync('chmod', ['0444', file]);
  return () => execFileSync('chmod', ['0644', file]);
}

describe('[faults] SQLite files that cannot be used: a clear, typed error at open()', () => {
  it('a read-only database file is refused at open() (not at the first write), naming the file', async () => {
    const { db, url } = await openFreshManager('sqlite');
    await db.close();
    const file = url.replace(/^sqlite:\/\/\//, '');
    const undo = makeImmutable(file);
    let outcome: Awaited<ReturnType<typeof settle>>;
    try {
      outcome = await settle(DatabaseManager.open({ url: `${url}?timeout=0.3`, env: {} }));
      if (outcome.ok) {
        // Show what happens instead: the first write fails.
        const write = await settle((outcome.value as DatabaseManager).setSetting('k', 'v'));
        await (outcome.value as DatabaseManager).close();
        throw new Error(`open() succeeded on a read-only file; the first write then gave: ${write.ok ? 'success' : describeError(write.error)}`);
      }
    } finally {
      undo();
    }
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(TrinityDbError);
    expect((error as Error).message).toMatch(/read-?only/i);
    expect((error as Error).message).toContain(file);
  }, 20_000);

  it('a file locked by another connection is refused with a typed error naming the lock and the file', async () => {
    const file = path.join(scratchDir(), 'locked.db');
    const holder = new Database(file);
    holder.exec('CREATE TABLE other_process (x integer)');
    holder.exec('BEGIN EXCLUSIVE');
    let outcome: Awaited<ReturnType<typeof settle>>;
    try {
      outcome = await settle(DatabaseManager.open({ url: `sqlite:///${file}?timeout=0.3`, env: {} }));
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const error = (outcome as { error: unknown }).error;
    expect(describeError(error)).toMatch(/^\w+Error/);
    expect(error).toBeInstanceOf(TrinityDbError);
    expect((error as Error).message).toMatch(/locked|busy/i);
    expect((error as Error).message).toContain(file);
  }, 20_000);
});

// ------------------------------------------------------------------------------------------------
// hostile input (belongs in hostile-input.test.ts once fixed)

describe.each(DRIVERS)('[hostile-input] on %s', (driver) => {
  let db: DatabaseManager;
  let sentinels: Record<string, string[]>;
  beforeAll(async () => {
    ({ db, sentinels } = await openSentinelManager(driver));
  });
  afterEach(async () => {
    expect(await sentinelSnapshot(db)).toEqual(sentinels);
  });

  if (driver === 'postgres') {
    it('1 MiB strings in every string parameter: a result or a typed error (not "index row requires ... bytes")', async () => {
      const { failures } = await hostileScan(db, BIG, 1);
      expect(failureLines(failures.filter((f) => !isDocumentedUserNotFound(f)))).toEqual([]);
    });

    it('create/update methods round-trip 1 MiB strings exactly (or refuse them with a typed error)', async () => {
      const failures = await payloadRoundTripFailures(db, BIG);
      expect(failures).toEqual([]);
    });
  }

  if (driver === 'postgres') {
    it('NUL characters in every string parameter: a result or a typed error (not "invalid byte sequence for encoding UTF8: 0x00")', async () => {
      const { failures } = await hostileScan(db, NUL, 1);
      expect(failureLines(failures.filter((f) => !isDocumentedUserNotFound(f)))).toEqual([]);
    });

    it('create/update methods store NUL characters exactly or refuse them with a typed error', async () => {
      const failures = await payloadRoundTripFailures(db, NUL);
      expect(failures).toEqual([]);
    });
  }

  it('wrong types (number, boolean, object, array, Date, bigint, NaN) in every string parameter: a result or a typed error', async () => {
    const { failures } = await hostileScan(db, WRONG_TYPES, 2);
    expect(failureLines(failures.filter((f) => !isDocumentedUserNotFound(f)))).toEqual([]);
  });

  it('create/update methods store lone UTF-16 surrogates exactly or refuse them with a typed error (never a silent U+FFFD replacement)', async () => {
    const failures = await payloadRoundTripFailures(db, SURROGATES);
    expect(failures).toEqual([]);
  });

  it('property: setSetting round-trips any JavaScript string or refuses it with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(anyText(), async (text) => {
        try {
          await db.setSetting('prop-any', text);
        } catch (error) {
          return error instanceof TrinityDbError;
        }
        return (await db.getSettingValue('prop-any')) === text;
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('addToWhitelist with an unknown addedBy throws a typed error (not a plain Error)', async () => {
    const error = await db.addToWhitelist('someone@example.com', 'no-such-user').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrinityDbError);
  });
});
