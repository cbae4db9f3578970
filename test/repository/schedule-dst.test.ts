/**
 * next_run_at across daylight-saving changes, as the Python layer computes it (croniter 6.2 with
 * pytz): gaps and repeated hours of any length (Lord Howe's 30 minutes, Chatham's :45 offsets), on
 * both drivers.
 */
import { readFileSync } from 'fs';
import path from 'path';
import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { ScheduleRepository } from '../../src/repository/schedule.repository';
import { calculateNextRunAt } from '../../src/repository/schedule/cron';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { raw, testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';

afterAll(cleanupTestDatabases);

/** Python's `_calculate_next_run_at(cron, tz)` at `now`: zone, cron, now (UTC), Python's result. */
const PYTHON_TABLE: [string, string, string, string][] = [
  ['America/New_York', '30 2 * * *', '2026-03-08T06:59:30Z', '2026-03-08T03:00:00-04:00'],
  ['America/New_York', '30 2 * * *', '2026-03-07T12:00:00Z', '2026-03-08T03:00:00-04:00'],
  ['America/New_York', '30 1 * * *', '2026-11-01T05:10:00Z', '2026-11-01T01:30:00-04:00'],
  ['America/New_York', '30 1 * * *', '2026-11-01T05:40:00Z', '2026-11-01T01:30:00-05:00'],
  ['America/New_York', '0 * * * *', '2026-11-01T05:10:00Z', '2026-11-01T01:00:00-05:00'],
  ['Pacific/Chatham', '0 3 * * *', '2026-04-04T13:50:00Z', '2026-04-05T03:00:00+12:45'],
  ['Pacific/Chatham', '15 3 * * *', '2026-09-26T13:50:00Z', '2026-09-27T03:45:00+13:45'],
  ['Pacific/Chatham', '50 2 * * *', '2026-09-26T13:50:00Z', '2026-09-27T03:45:00+13:45'],
  ['Europe/London', '30 1 * * 0', '2026-03-29T00:20:00Z', '2026-03-29T02:00:00+01:00'],
  ['Europe/London', '30 1 * * 0', '2026-10-25T00:20:00Z', '2026-10-25T01:30:00+01:00'],
  ['Australia/Lord_Howe', '15 2 * * *', '2026-04-04T14:50:00Z', '2026-04-05T02:15:00+10:30'],
  ['Asia/Kolkata', '0 9 * * 1-5', '2026-12-04T03:40:00Z', '2026-12-07T09:00:00+05:30'],
];

/** More of Python's results around every 2026 change of 13 zones (test/fixtures/croniter-dst.txt, made by croniter-dst.py). */
const PYTHON_CASES = readFileSync(path.join(__dirname, '../fixtures/croniter-dst.txt'), 'utf8')
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => line.split('|') as [string, string, string, string]);

/** The instant an OFFSET_ISO text names. */
const instantOf = (iso: string) => new Date(iso);

describe("calculateNextRunAt follows croniter's daylight-saving rules", () => {
  it.each(PYTHON_TABLE)('%s %s at %s -> %s', (zone, cron, now, python) => {
    expect(calculateNextRunAt(cron, zone, new Date(now))).toEqual({ date: instantOf(python), iso: python });
  });

  it(`matches Python in all ${PYTHON_CASES.length} cases around the 2026 changes of 13 zones`, () => {
    expect(PYTHON_CASES.length).toBeGreaterThan(700);
    const mismatches = PYTHON_CASES.filter(([zone, cron, now, python]) => calculateNextRunAt(cron, zone, new Date(now))?.iso !== python).map(
      ([zone, cron, now, python]) => `${zone} '${cron}' at ${now}: Python ${python}, got ${calculateNextRunAt(cron, zone, new Date(now))?.iso}`,
    );
    expect(mismatches).toEqual([]);
    const zones = new Set(PYTHON_CASES.map(([zone]) => zone));
    for (const zone of ['America/New_York', 'Europe/London', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kolkata']) expect(zones).toContain(zone);
  });

  it('a gap or repeated hour never makes it skip a day or run before now', () => {
    // Chatham springs forward 02:45 -> 03:45 (+12:45 -> +13:45) on 2026-09-27.
    for (const cron of ['44 2 * * *', '45 2 * * *', '0 3 * * *', '44 3 * * *']) {
      const next = calculateNextRunAt(cron, 'Pacific/Chatham', new Date('2026-09-26T13:50:00Z'))!;
      expect(next.iso.slice(0, 10)).toBe('2026-09-27');
      expect(next.date.getTime()).toBeGreaterThan(new Date('2026-09-26T13:50:00Z').getTime());
    }
  });
});

describe.each(DRIVERS)('next_run_at across daylight-saving changes on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  const time = testClock();

  beforeAll(async () => {
    ds = await openTestDataSource(driver);
    await repositoryOn(ds, UserRepository).createUser({ username: 'dst-owner', role: 'admin' });
  });

  it.each(PYTHON_TABLE)('createSchedule in %s, %s at %s stores %s', async (zone, cron, now, python) => {
    time.set(now);
    const schedules = repositoryOn(ds, ScheduleRepository, { clock: time.clock });
    const created = (await schedules.createSchedule('dst-agent', 'dst-owner', { name: `${zone} ${cron}`, cron_expression: cron, message: 'm', timezone: zone }))!;
    expect(created.next_run_at).toEqual(instantOf(python));
    expect((await schedules.getSchedule(created.id))!.next_run_at).toEqual(instantOf(python));
    // SQLite keeps Python's text: the zone's offset as isoformat() writes it.
    if (driver === 'sqlite') expect((await raw(ds, driver, `SELECT next_run_at FROM agent_schedules WHERE id = ?`, [created.id]))[0].next_run_at).toBe(python);
  });
});
