/**
 * Options objects and input models refuse keys they do not take, naming the key and the accepted
 * names, before anything is written, on both drivers. A Python keyword name where the option is
 * camelCase (`context_used`) used to be dropped silently and its value stored as NULL.
 * Data documents (operator queue items, event payloads, metric dicts) keep every key they carry.
 */
import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { InputValidationError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { createRepositories, type Repositories } from '../../src/repository';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl, openTestDataSource } from '../support/databases';
import { raw, testClock } from '../support/helpers';
import { repositoriesOn } from '../support/repositories';

afterAll(cleanupTestDatabases);

/** The error an unknown key gives: InputValidationError on `<label>.<key>`, with the accepted names. */
async function refused(call: Promise<unknown>, field: string, accepted: string[]): Promise<InputValidationError> {
  const error = await call.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputValidationError);
  expect((error as InputValidationError).field).toBe(field);
  for (const name of accepted) expect((error as Error).message).toContain(name);
  return error as InputValidationError;
}

describe.each(DRIVERS)('unknown option keys on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  let r: Repositories;
  const time = testClock('2026-03-01T10:00:00Z');

  beforeAll(async () => {
    ds = await openTestDataSource(driver);
    r = repositoriesOn(ds, { clock: time.clock });
    await r.users.createUser({ username: 'opt-admin', role: 'admin', email: 'admin@x.com' });
  });

  it("addChatMessage refuses Python's keyword names, says how the option is spelt, and stores nothing", async () => {
    const session = await r.chat.getOrCreateChatSession('opt-agent', 1, 'u@x.com');
    const error = await refused(
      r.chat.addChatMessage(session.id, 'opt-agent', 1, 'u@x.com', 'user', 'hi', { context_used: 10, tool_calls: '[1]', execution_time_ms: 5 } as never),
      'opts.context_used',
      ['contextUsed', 'toolCalls', 'executionTimeMs', 'outputTokens'],
    );
    expect(error.message).toMatch(/^opts\.context_used: is not an option of ChatMessageOptions \(the option is spelt contextUsed\); accepted: /);
    expect(await r.chat.getChatMessages(session.id)).toEqual([]);
    expect((await r.chat.getChatSession(session.id))!.message_count).toBe(0);
    // The camelCase options are stored.
    const message = await r.chat.addChatMessage(session.id, 'opt-agent', 1, 'u@x.com', 'user', 'hi', { contextUsed: 10, toolCalls: '[1]', executionTimeMs: 5 });
    expect(message).toMatchObject({ context_used: 10, tool_calls: [1], execution_time_ms: 5 });
  });

  it('updateExecutionStatus refuses them and leaves the execution running', async () => {
    const execution = await r.schedules.createTaskExecution('opt-agent', 'go');
    await refused(r.schedules.updateExecutionStatus(execution.id, 'success', { context_used: 5, tool_calls: '[]' } as never), 'update.context_used', ['contextUsed', 'toolCalls', 'claudeSessionId']);
    expect((await r.schedules.getExecution(execution.id))!).toMatchObject({ status: 'running', context_used: null, completed_at: null });
    expect(await r.schedules.updateExecutionStatus(execution.id, 'success', { contextUsed: 5, toolCalls: '[]' })).toBe(true);
    expect((await r.schedules.getExecution(execution.id))!).toMatchObject({ status: 'success', context_used: 5, tool_calls: '[]' });
  });

  it('every other options object and input model refuses an unknown key before writing', async () => {
    const bogus = { bogus: 1 } as never;
    const cases: [string, () => Promise<unknown>, string][] = [
      ['createUser', () => r.users.createUser({ username: 'opt-new', ...(bogus as object) }), 'userData.bogus'],
      ['updateUser', () => r.users.updateUser('opt-admin', { name: 'n', password: 'x' } as never), 'updates.password'],
      ['createMcpApiKey', () => r.mcpKeys.createMcpApiKey('opt-admin', { name: 'k', ...(bogus as object) }), 'keyData.bogus'],
      ['createSchedule', () => r.schedules.createSchedule('opt-agent', 'opt-admin', { name: 's', cron_expression: '0 9 * * *', message: 'm', cronExpression: 'x' } as never), 'scheduleData.cronExpression'],
      ['updateSchedule', () => r.schedules.updateSchedule('missing', 'opt-admin', { cronExpression: '0 9 * * *' } as never), 'updates.cronExpression'],
      ['createTaskExecution', () => r.schedules.createTaskExecution('opt-agent', 'm', 'manual', { source_user_id: 1 } as never), 'origin.source_user_id'],
      ['createScheduleExecution', () => r.schedules.createScheduleExecution('sched', 'opt-agent', 'm', 'schedule', { fanOutId: 'f' } as never), 'origin.fanOutId'],
      ['createActivity', () => r.activities.createActivity({ agent_name: 'a', activity_type: 't', triggered_by: 'user', ...(bogus as object) }), 'activity.bogus'],
      ['completeActivity', () => r.activities.completeActivity('missing', { state: 'failed' } as never), 'options.state'],
      ['getAgentActivities', () => r.activities.getAgentActivities('a', { activity_type: 't' } as never), 'options.activity_type'],
      ['getActivitiesInRange', () => r.activities.getActivitiesInRange({ start_time: '2026-01-01' } as never), 'options.start_time'],
      ['createView', () => r.systemViews.createView('1', { name: 'v', filter_tags: [], ...(bogus as object) }), 'data.bogus'],
      ['updateView', () => r.systemViews.updateView('missing', bogus), 'data.bogus'],
      ['createNotification', () => r.notifications.createNotification('a', { notification_type: 'info', title: 't', ...(bogus as object) }), 'data.bogus'],
      ['listNotifications', () => r.notifications.listNotifications({ agent_name: 'a' } as never), 'options.agent_name'],
      ['listAgentNotifications', () => r.notifications.listAgentNotifications('a', { agentName: 'b' } as never), 'options.agentName'],
      ['logPayment', () => r.nevermined.logPayment('a', 'charge', true, { tx_hash: '0x1' } as never), 'opts.tx_hash'],
      ['listItems', () => r.operatorQueue.listItems({ agent_name: 'a' } as never), 'opts.agent_name'],
      ['createSubscription', () => r.eventSubscriptions.createSubscription('a', { source_agent: 'b', event_type: 'e', target_message: 't', ...(bogus as object) }, 'u'), 'data.bogus'],
    ];
    for (const [method, call, field] of cases) {
      const error = await call().then(
        () => new Error(`${method} accepted an unknown key`),
        (e: unknown) => e,
      );
      expect([method, error]).toEqual([method, expect.objectContaining({ name: 'InputValidationError', field })]);
      expect((error as Error).message).toMatch(/accepted: \w+/);
    }
    // Nothing was written by any of them.
    const counts = await raw(ds, driver, `SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM agent_schedules) AS schedules, (SELECT COUNT(*) FROM agent_activities) AS activities,
      (SELECT COUNT(*) FROM system_views) AS views, (SELECT COUNT(*) FROM agent_notifications) AS notifications, (SELECT COUNT(*) FROM nevermined_payment_log) AS payments,
      (SELECT COUNT(*) FROM mcp_api_keys) AS keys, (SELECT COUNT(*) FROM agent_event_subscriptions) AS subscriptions`);
    expect(Object.fromEntries(Object.entries(counts[0]).map(([k, v]) => [k, Number(v)]))).toEqual({ users: 1, schedules: 0, activities: 0, views: 0, notifications: 0, payments: 0, keys: 0, subscriptions: 0 });
    expect((await r.users.getUserByUsername('opt-admin'))!.name).toBeNull();
  });

  it('data documents keep every key: operator queue items, event payloads, metric dicts', async () => {
    await r.operatorQueue.createItem('opt-agent', { id: 'q-extra', title: 't', question: 'q', created_at: '2026-03-01T09:00:00Z', extra_from_agent: 'kept out' } as never);
    expect(await r.operatorQueue.getItem('q-extra')).toMatchObject({ id: 'q-extra', title: 't' });
    expect((await r.eventSubscriptions.createEvent('opt-agent', 'e', { anything: 1, nested: { ok: true } })).payload).toEqual({ anything: 1, nested: { ok: true } });
    expect(await r.monitoring.createHealthCheck('opt-agent', 'docker', 'healthy', { cpu_percent: 5, not_stored: 1 } as never)).toEqual(expect.any(String));
  });

  it('DatabaseManager.open refuses an unknown option (a misspelt runMigrations would run migrations)', async () => {
    const url = await emptyDatabaseUrl(driver);
    await refused(DatabaseManager.open({ url, env: {}, runMigration: false } as never), 'options.runMigration', ['url', 'runMigrations', 'logger', 'env', 'clock']);
  });
});
