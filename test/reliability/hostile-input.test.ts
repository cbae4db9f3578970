/**
 * Reliability (#10) — hostile input. Every string parameter of every facade method (from
 * spec/api/methods.json) gets SQL-injection payloads and 1 MiB strings; round-trips of create/update
 * methods are checked exactly; property-based tests (fast-check, fixed seed, bounded runs) drive the
 * create/update inputs. Expected: a correct round-trip or a TrinityDbError, never a SQL/driver
 * error, a crash, a hang, or a change to an unrelated (sentinel) row.
 * What fails today (1 MiB and NUL on PostgreSQL, surrogate round-trips, wrong types) is in known-bugs.test.ts.
 */
import fc from 'fast-check';
import { TrinityDbError } from '../../src/errors';
import type { DatabaseManager } from '../../src/manager';
import { DRIVERS, cleanupTestDatabases } from '../support/databases';
import { closeManagers, ensureEncryptionKey, openSentinelManager, sentinelSnapshot, stringParameters } from '../support/reliability-helpers';
import { BIG, INJECTION, NUL, SURROGATES, failureLines, hostileScan, isDocumentedUserNotFound } from '../support/reliability-hostile';
import { ROUND_TRIPS, payloadRoundTripFailures, safeText } from '../support/reliability-roundtrips';

const REPORT = process.env.RELIABILITY_REPORT === '1';
const SEED = 20261125;

beforeAll(() => ensureEncryptionKey());
afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

it('covers every string parameter of the facade', () => {
  const params = stringParameters();
  // spec/api/methods.json: 306 facade methods; 261 of them take at least one string, 466 strings in all.
  expect(params.length).toBe(466);
  expect(new Set(params.map((p) => p.method.ts)).size).toBe(261);
});

describe.each(DRIVERS)('hostile input on %s', (driver) => {
  let db: DatabaseManager;
  let sentinels: Record<string, string[]>;
  beforeAll(async () => {
    ({ db, sentinels } = await openSentinelManager(driver));
  });

  afterEach(async () => {
    // No test may change a row it was not about.
    expect(await sentinelSnapshot(db)).toEqual(sentinels);
  });

  it('SQL-injection payloads in every string parameter: a result or a typed error, no unrelated row changed', async () => {
    const started = process.hrtime.bigint();
    const { failures, calls } = await hostileScan(db, INJECTION, 4);
    // addToWhitelist's plain Error('User not found: <addedBy>') is documented legacy behaviour; its
    // missing typed error is covered in known-bugs.test.ts.
    expect(failureLines(failures.filter((f) => !isDocumentedUserNotFound(f)))).toEqual([]);
    if (REPORT) console.log(`[reliability] ${driver}: ${calls} injection calls in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`);
    // Every table still exists (nothing was dropped).
    expect(await db.listUsers()).toEqual(expect.arrayContaining([expect.objectContaining({ username: 'sentinel-user' })]));
  });

  // On PostgreSQL long values in indexed columns fail with a raw "index row requires ... bytes": known-bugs.test.ts.
  if (driver === 'sqlite') it('1 MiB strings in every string parameter: a result or a typed error, no unrelated row changed', async () => {
    const started = process.hrtime.bigint();
    const { failures, calls } = await hostileScan(db, BIG, 1);
    expect(failureLines(failures.filter((f) => !isDocumentedUserNotFound(f)))).toEqual([]);
    if (REPORT) console.log(`[reliability] ${driver}: ${calls} calls with 1 MiB strings in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`);
  });

  it('lone UTF-16 surrogates in every string parameter: a result or a typed error, no unrelated row changed', async () => {
    // (That what is stored is exactly what was passed is checked in known-bugs.test.ts: it is not today.)
    const { failures } = await hostileScan(db, SURROGATES, 1);
    expect(failureLines(failures.filter((f) => !isDocumentedUserNotFound(f)))).toEqual([]);
  });

  if (driver === 'sqlite') {
    // PostgreSQL rejects NUL in text with a raw driver error: known-bugs.test.ts.
    it('NUL characters in every string parameter: a result or a typed error, no unrelated row changed', async () => {
      const { failures } = await hostileScan(db, NUL, 1);
      expect(failureLines(failures.filter((f) => !isDocumentedUserNotFound(f)))).toEqual([]);
    });

    it('create/update methods round-trip NUL characters exactly', async () => {
      const failures = await payloadRoundTripFailures(db, NUL);
      expect(failures).toEqual([]);
    });
  }

  it('create/update methods round-trip injection payloads exactly (or refuse them with a typed error)', async () => {
    const failures = await payloadRoundTripFailures(db, INJECTION);
    expect(failures).toEqual([]);
  });

  if (driver === 'sqlite') {
    // PostgreSQL: known-bugs.test.ts (setSetting with a 1 MiB key fails with a raw index-size error).
    it('create/update methods round-trip 1 MiB strings exactly (or refuse them with a typed error)', async () => {
      const failures = await payloadRoundTripFailures(db, BIG);
      expect(failures).toEqual([]);
    });
  }

  it.each(ROUND_TRIPS.map((r) => [r.name, r] as const))('property: %s round-trips arbitrary well-formed text', async (_name, roundTrip) => {
    await fc.assert(
      fc.asyncProperty(safeText(), async (text) => {
        const outcome = await roundTrip.run(db, text);
        if (outcome.ok) return outcome.stored === outcome.expected;
        return outcome.error instanceof TrinityDbError;
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('property: createUser with arbitrary profile fields stores exactly what it returns', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ name: fc.option(safeText(), { nil: null }), picture: fc.option(safeText(), { nil: null }), email: fc.option(safeText(), { nil: null }), role: safeText() }),
        async (fields) => {
          const username = `prop-user-${n++}`;
          let created;
          try {
            created = await db.createUser({ username, ...fields });
          } catch (error) {
            return error instanceof TrinityDbError;
          }
          const read = await db.getUserByUsername(username);
          const { created_at: _c, updated_at: _u, ...rest } = created;
          const { created_at: _rc, updated_at: _ru, ...readRest } = read!;
          expect(readRest).toEqual(rest);
          return true;
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('property: updateUser with arbitrary profile updates changes only that user', async () => {
    await db.createUser({ username: 'prop-target' });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ name: fc.option(safeText(), { nil: null }), picture: fc.option(safeText(), { nil: null }), email: fc.option(safeText(), { nil: null }) }, { requiredKeys: [] }),
        async (updates) => {
          let updated;
          try {
            updated = await db.updateUser('prop-target', updates);
          } catch (error) {
            return error instanceof TrinityDbError;
          }
          const read = await db.getUserByUsername('prop-target');
          for (const [key, value] of Object.entries(updates)) {
            expect(read![key as keyof typeof read]).toEqual(value);
            expect(updated![key as keyof typeof updated]).toEqual(value);
          }
          return true;
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });
});
