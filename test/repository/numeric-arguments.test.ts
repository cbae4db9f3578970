/**
 * Numeric arguments follow one rule on both drivers: integers are safe integers (|n| ≤ 2^53 − 1), a
 * time computed from an argument lies within the years 1–9999, and the two stale-run cleanups
 * refuse a negative timeout alike. Each refusal is an InputValidationError naming the argument,
 * raised before anything runs (no driver datatype error, no RangeError).
 */
import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { InputValidationError } from '../../src/errors';
import { createRepositories, type Repositories } from '../../src/repository';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { testClock } from '../support/helpers';
import { repositoriesOn } from '../support/repositories';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('numeric arguments on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  let r: Repositories;
  const time = testClock('2026-03-01T10:00:00Z');

  beforeAll(async () => {
    ds = await openTestDataSource(driver);
    r = repositoriesOn(ds, { clock: time.clock });
    await r.users.createUser({ username: 'num-admin', role: 'admin' });
  });

  async function refusedOn(field: string, call: () => Promise<unknown>): Promise<void> {
    const error = await call().then(
      () => new Error('resolved'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).field).toBe(field);
  }

  it('markStaleActivitiesFailed and markStaleExecutionsFailed refuse a negative timeout alike and change nothing', async () => {
    const activity = await r.activities.createActivity({ agent_name: 'num-agent', activity_type: 'chat_start', triggered_by: 'user' });
    const execution = await r.schedules.createTaskExecution('num-agent', 'go');
    time.advance(60_000);
    await refusedOn('timeoutMinutes', () => r.activities.markStaleActivitiesFailed(-1));
    await refusedOn('timeoutMinutes', () => r.schedules.markStaleExecutionsFailed(-1));
    expect((await r.activities.getActivity(activity))!.activity_state).toBe('started');
    expect((await r.schedules.getExecution(execution.id))!.status).toBe('running');
    // 0 is a timeout like any other: everything started before now is stale, for both.
    expect(await r.activities.markStaleActivitiesFailed(0)).toBe(1);
    expect(await r.schedules.markStaleExecutionsFailed(0)).toBe(1);
  });

  it('limits, counts and durations beyond 2^53 are refused by name', async () => {
    const session = await r.chat.getOrCreateChatSession('num-agent', 1, 'u@x.com');
    await refusedOn('limit', () => r.chat.getChatMessages(session.id, 1e300));
    await refusedOn('hours', () => r.schedules.getAllAgentsExecutionStats(1e300));
    await refusedOn('hours', () => r.schedules.getAgentExecutionStats('num-agent', 2 ** 53));
    await refusedOn('limit', () => r.chat.getAgentChatHistory('num-agent', null, 1e300));
    await refusedOn('limit', () => r.activities.getAgentActivities('num-agent', { limit: 1e300 }));
    await refusedOn('limit', () => r.notifications.listNotifications({ limit: 2 ** 60 }));
    await refusedOn('limit', () => r.publicChat.getSessionMessages('s', 1e300));
    await refusedOn('limit', () => r.operatorQueue.listItems({ limit: 1e300 }));
    await refusedOn('offset', () => r.operatorQueue.listItems({ offset: 1e300 }));
    await refusedOn('days', () => r.emailAuth.cleanupOldCodes(1e300));
    await refusedOn('userId', () => r.chat.getOrCreateChatSession('num-agent', 1e300, 'u@x.com'));
    await refusedOn('timeout_seconds', () => r.schedules.createSchedule('num-agent', 'num-admin', { name: 's', cron_expression: '0 9 * * *', message: 'm', timeout_seconds: 1e300 }));
    await refusedOn('dockerMetrics.restart_count', () => r.monitoring.createHealthCheck('num-agent', 'docker', 'healthy', { restart_count: 1e300 }));
  });

  it('a time computed from an argument must lie within the years 1–9999', async () => {
    // Safe integers, but now ± that many minutes/hours/days is no date Python can hold.
    await refusedOn('hours', () => r.schedules.getAgentExecutionStats('num-agent', 2 ** 50));
    await refusedOn('minutes', () => r.emailAuth.countRecentCodeRequests('u@x.com', 2 ** 50));
    await refusedOn('days', () => r.emailAuth.cleanupOldCodes(10_000_000));
    await refusedOn('expiryMinutes', () => r.emailAuth.createLoginCode('u@x.com', 2 ** 45));
    await refusedOn('timeoutMinutes', () => r.activities.markStaleActivitiesFailed(2 ** 40));
    await refusedOn('hours', () => r.dashboardHistory.getWidgetHistory('num-agent', 'w', 2 ** 40));
    await refusedOn('hours', () => r.monitoring.getAgentHealthHistory('num-agent', 'docker', 2 ** 40));
    await refusedOn('minutes', () => r.publicLinks.countRecentVerificationRequests('u@x.com', 2 ** 50));
    const link = (await r.publicLinks.createPublicLink('num-agent', 'num-admin'))!;
    await refusedOn('expiryMinutes', () => r.publicLinks.createVerification(link.id, 'u@x.com', 2 ** 45));
    // Nothing was written by the refused calls.
    expect(await r.emailAuth.countRecentCodeRequests('u@x.com', 10)).toBe(0);
    expect(await r.publicLinks.countRecentVerificationRequests('u@x.com', 10)).toBe(0);
    // Ordinary values still work.
    expect((await r.emailAuth.createLoginCode('u@x.com', 15)).expires_in_seconds).toBe(900);
  });

  it("a number the column cannot hold is a typed error, never the driver's", async () => {
    // user_id is a 32-bit integer on PostgreSQL and 64-bit on SQLite.
    const session = await r.chat.getOrCreateChatSession('num-agent', 1, 'u@x.com');
    const call = r.chat.addChatMessage(session.id, 'num-agent', 2 ** 40, 'u@x.com', 'user', 'hi');
    if (driver === 'postgres') {
      await expect(call).rejects.toMatchObject({ name: 'InputValidationError', field: 'parameter', message: 'parameter: a number is out of range for its PostgreSQL column type' });
    } else {
      await expect(call).resolves.toMatchObject({ user_id: 2 ** 40 });
    }
  });
});
