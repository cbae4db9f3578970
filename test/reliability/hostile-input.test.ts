/**
 * Reliability: hostile input. Every string parameter of every facade method (from
 * test/fixtures/reference/methods.json) gets SQL-injection payloads, 1 MiB strings, NUL characters,
 * lone UTF-16 surrogates and values of the wrong type; round-trips of create/update methods are
 * checked exactly; property-based tests (fast-check, fixed seed, bounded runs) drive the create/update
 * inputs. Expected: a correct round-trip or a TrinityDbError, never a SQL/driver error, a crash, a hang,
 * or a change to an unrelated (sentinel) row. What PostgreSQL cannot store (NUL, index entries over
 * its page limit) is refused with a typed error (docs/RELIABILITY.md → "Defects found and fixed").
 */
import fc from 'fast-check';
import { TrinityDbError } from '../../src/errors';
import type { DatabaseManager } from '../../src/manager';
import { DRIVERS, cleanupTestDatabases } from '../support/databases';
import { closeManagers, ensureEncryptionKey, openSentinelManager, sentinelSnapshot, stringParameters } from '../support/reliability-helpers';
import { BIG, INJECTION, NUL, SURROGATES, WRONG_TYPES, failureLines, hostileScan } from '../support/reliability-hostile';
import { ROUND_TRIPS, anyText, payloadRoundTripFailures, safeText } from '../support/reliability-roundtrips';

const REPORT = process.env.RELIABILITY_REPORT === '1';
const SEED = 20261125;

beforeAll(() => ensureEncryptionKey());
afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

it('covers every string parameter of the facade', () => {
  const params = stringParameters();
  // reference/methods.json: 306 facade methods; 261 of them take at least one string, 466 strings in all.
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
    expect(failureLines(failures)).toEqual([]);
    if (REPORT) console.log(`[reliability] ${driver}: ${calls} injection calls in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`);
    // Every table still exists (nothing was dropped).
    expect(await db.listUsers()).toEqual(expect.arrayContaining([expect.objectContaining({ username: 'sentinel-user' })]));
  });

  // On PostgreSQL a long value in an indexed column is refused (ValueRejectedError), not a raw "index row requires ... bytes".
  it('1 MiB strings in every string parameter: a result or a typed error, no unrelated row changed', async () => {
    const started = process.hrtime.bigint();
    const { failures, calls } = await hostileScan(db, BIG, 1);
    expect(failureLines(failures)).toEqual([]);
    if (REPORT) console.log(`[reliability] ${driver}: ${calls} calls with 1 MiB strings in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`);
  });

  it('lone UTF-16 surrogates in every string parameter: a result or a typed error, no unrelated row changed', async () => {
    const { failures } = await hostileScan(db, SURROGATES, 1);
    expect(failureLines(failures)).toEqual([]);
  });

  // On PostgreSQL NUL is refused (InputValidationError), not a raw "invalid byte sequence for encoding UTF8: 0x00".
  it('NUL characters in every string parameter: a result or a typed error, no unrelated row changed', async () => {
    const { failures } = await hostileScan(db, NUL, 1);
    expect(failureLines(failures)).toEqual([]);
  });

  it('wrong types (number, boolean, object, array, Date, bigint, NaN) in every string parameter: a result or a typed error', async () => {
    const { failures } = await hostileScan(db, WRONG_TYPES, 2);
    expect(failureLines(failures)).toEqual([]);
  });

  it('create/update methods store NUL characters exactly (or refuse them with a typed error)', async () => {
    const failures = await payloadRoundTripFailures(db, NUL);
    expect(failures).toEqual([]);
  });

  it('create/update methods round-trip injection payloads exactly (or refuse them with a typed error)', async () => {
    const failures = await payloadRoundTripFailures(db, INJECTION);
    expect(failures).toEqual([]);
  });

  it('create/update methods round-trip 1 MiB strings exactly (or refuse them with a typed error)', async () => {
    const failures = await payloadRoundTripFailures(db, BIG);
    expect(failures).toEqual([]);
  });

  it('create/update methods store lone UTF-16 surrogates exactly or refuse them with a typed error (never a silent U+FFFD replacement)', async () => {
    const failures = await payloadRoundTripFailures(db, SURROGATES);
    expect(failures).toEqual([]);
  });

  it('addToWhitelist with an unknown addedBy throws a typed error (not a plain Error)', async () => {
    const error = await db.addToWhitelist('someone@example.com', 'no-such-user').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrinityDbError);
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
