/**
 * Timestamps outside the years 1–9999 (UTC), which Python's datetime cannot hold, are refused with a
 * typed error wherever a timestamp is accepted, on both drivers; the years 1–99 are stored and read as
 * written.
 */
import type { TrinityDataSource } from '../../src/data-source';
import { codecFor, type Driver } from '../../src/dialect';
import { AgentPublicLink } from '../../src/entity';
import { tableSpecOf } from '../../src/entity/columns';
import { InputValidationError, InvalidColumnValueError } from '../../src/errors';
import { ActivityRepository } from '../../src/repository/activity.repository';
import { OperatorQueueRepository } from '../../src/repository/operator-queue.repository';
import { PublicLinkRepository } from '../../src/repository/public-link.repository';
import { ScheduleRepository } from '../../src/repository/schedule.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { raw, testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';

afterAll(cleanupTestDatabases);

const OUT_OF_RANGE: [string, Date | string][] = [
  ['a Date in year -1', new Date('-000001-06-01T00:00:00Z')],
  ['a Date in year 0', new Date('0000-06-01T00:00:00Z')],
  ['a Date in year 10000', new Date('+010000-01-01T00:00:00Z')],
  ['text of year 0', '0000-06-01T00:00:00'],
  ['text of year 10000', '10000-01-01T00:00:00Z'],
  ['text whose instant is in year 10000', '9999-12-31T23:30:00-05:00'],
];

describe.each(DRIVERS)('timestamps of the years 1–9999 on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  const time = testClock('2026-03-01T10:00:00Z');
  let links: PublicLinkRepository;

  beforeAll(async () => {
    ds = await openTestDataSource(driver);
    links = repositoryOn(ds, PublicLinkRepository, { clock: time.clock });
  });

  it.each(OUT_OF_RANGE)('createPublicLink refuses %s as expires_at and writes nothing', async (_label, expiresAt) => {
    const error = await links.createPublicLink('range-agent', 'alice', null, false, expiresAt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error).toMatchObject({ field: 'expires_at' });
    expect((error as Error).message).toMatch(/1–9999/);
    expect(await links.listAgentPublicLinks('range-agent')).toEqual([]);
  });

  it('updatePublicLink refuses them too and leaves the link as it was', async () => {
    const link = (await links.createPublicLink('range-upd', 'alice', null, false, '2030-01-01T00:00:00Z'))!;
    for (const [, expiresAt] of OUT_OF_RANGE) {
      await expect(links.updatePublicLink(link.id, null, null, null, expiresAt)).rejects.toMatchObject({ name: 'InputValidationError', field: 'expires_at' });
    }
    expect((await links.getPublicLink(link.id))!.expires_at).toEqual(new Date('2030-01-01T00:00:00Z'));
  });

  it('stores an expiry in year 99 as year 99: it reads back so and the link is expired', async () => {
    const link = (await links.createPublicLink('range-99', 'alice', null, false, new Date('0099-06-01T12:00:00Z')))!;
    expect(link.expires_at).toEqual(new Date('0099-06-01T12:00:00Z'));
    expect((await links.getPublicLink(link.id))!.expires_at!.getUTCFullYear()).toBe(99);
    expect(await links.isLinkValid(link.token)).toEqual([false, 'expired', null]);
    if (driver === 'sqlite') expect((await raw(ds, driver, `SELECT expires_at FROM agent_public_links WHERE id = ?`, [link.id]))[0].expires_at).toBe('0099-06-01T12:00:00.000000Z'); // external: Z6
  });

  it('the column codec itself refuses them (InvalidColumnValueError naming the column)', () => {
    const column = tableSpecOf(AgentPublicLink).columns.find((c) => c.name === 'created_at')!;
    const codec = codecFor(driver, column);
    for (const [, value] of OUT_OF_RANGE) {
      expect(() => codec.to(value)).toThrow(InvalidColumnValueError);
      expect(() => codec.to(value)).toThrow(/^created_at: .*1–9999/);
    }
    expect(() => codec.to(new Date(NaN))).toThrow(/created_at: invalid Date/);
    expect(codec.to(new Date('0001-01-01T00:00:00Z'))).toBe(driver === 'sqlite' ? '0001-01-01T00:00:00' : '0001-01-01T00:00:00.000000Z');
  });

  it('other methods taking a timestamp refuse them with the field named', async () => {
    await repositoryOn(ds, UserRepository).createUser({ username: 'range-owner', role: 'admin' });
    const schedules = repositoryOn(ds, ScheduleRepository, { clock: time.clock });
    const schedule = (await schedules.createSchedule('range-agent', 'range-owner', { name: 's', cron_expression: '0 9 * * *', message: 'm' }))!;
    await expect(schedules.updateScheduleRunTimes(schedule.id, null, new Date('+010000-01-01T00:00:00Z'))).rejects.toMatchObject({ name: 'InputValidationError', field: 'nextRunAt' });
    await expect(schedules.updateScheduleRunTimes(schedule.id, '0000-01-01T00:00:00')).rejects.toMatchObject({ name: 'InputValidationError', field: 'lastRunAt' });
    const activities = repositoryOn(ds, ActivityRepository, { clock: time.clock });
    await expect(activities.getActivitiesInRange({ endTime: new Date('+010000-01-01T00:00:00Z') })).rejects.toMatchObject({ name: 'InputValidationError', field: 'endTime' });
    const queue = repositoryOn(ds, OperatorQueueRepository, { clock: time.clock });
    await expect(queue.listItems({ since: '10000-01-01T00:00:00Z' })).rejects.toMatchObject({ name: 'InputValidationError', field: 'since' });
    await expect(queue.createItem('range-agent', { id: 'q-range', title: 't', question: 'q', created_at: '0000-01-01T00:00:00Z' })).rejects.toMatchObject({ name: 'InputValidationError', field: 'item.created_at' });
    expect(await queue.getItem('q-range')).toBeNull();
  });
});
