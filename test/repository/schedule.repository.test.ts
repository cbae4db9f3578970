import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { InputValidationError } from '../../src/errors';
import { AgentRepository } from '../../src/repository/agent.repository';
import { ScheduleRepository } from '../../src/repository/schedule.repository';
import { calculateNextRunAt } from '../../src/repository/schedule/cron';
import { pyRound } from '../../src/repository/schedule/numbers';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { failWrites, raw, testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const at = (iso: string) => new Date(iso);

describe('croniter semantics of calculateNextRunAt', () => {
  it('fires strictly after now in the local zone, across the Europe/Berlin DST changes', () => {
    // 2026-03-29 02:00 CET -> CEST. From Saturday 11:00 local the next 09:00 is Sunday 09:00 CEST.
    expect(calculateNextRunAt('0 9 * * *', 'Europe/Berlin', at('2026-03-28T10:00:00Z'))).toEqual({ date: at('2026-03-29T07:00:00Z'), iso: '2026-03-29T09:00:00+02:00' });
    expect(calculateNextRunAt('0 9 * * *', 'Europe/Berlin', at('2026-03-28T07:59:00Z'))?.iso).toBe('2026-03-28T09:00:00+01:00');
    // Exactly at a fire time (or a fraction after it): the next one.
    expect(calculateNextRunAt('0 9 * * *', 'Europe/Berlin', at('2026-03-28T08:00:00Z'))?.iso).toBe('2026-03-29T09:00:00+02:00');
    expect(calculateNextRunAt('0 9 * * *', 'Europe/Berlin', at('2026-03-28T08:00:00.500Z'))?.iso).toBe('2026-03-29T09:00:00+02:00');
    // 2026-10-25 03:00 CEST -> CET.
    expect(calculateNextRunAt('0 9 * * *', 'Europe/Berlin', at('2026-10-24T10:00:00Z'))).toEqual({ date: at('2026-10-25T08:00:00Z'), iso: '2026-10-25T09:00:00+01:00' });
  });

  it('writes +00:00 for UTC (never Z), also for a falsy zone and a zero-offset zone', () => {
    expect(calculateNextRunAt('0 9 * * *', 'UTC', at('2026-03-28T10:00:00Z'))?.iso).toBe('2026-03-29T09:00:00+00:00');
    expect(calculateNextRunAt('0 9 * * *', '', at('2026-03-28T10:00:00Z'))?.iso).toBe('2026-03-29T09:00:00+00:00');
    expect(calculateNextRunAt('0 9 * * *', 'Europe/London', at('2026-01-28T10:00:00Z'))?.iso).toBe('2026-01-29T09:00:00+00:00');
  });

  it('reads a sixth field as seconds (croniter puts them last)', () => {
    expect(calculateNextRunAt('0 0 * * * 30', 'UTC', at('2026-06-02T10:00:00Z'))?.iso).toBe('2026-06-03T00:00:30+00:00');
    expect(calculateNextRunAt('* * * * * 15', 'UTC', at('2026-06-02T10:00:20Z'))?.iso).toBe('2026-06-02T10:01:15+00:00');
  });

  it("combines restricted day-of-month and day-of-week with OR, and knows croniter's aliases only", () => {
    // 2026-06-02 is a Tuesday: the next Monday (8th) comes before the 1st of July.
    expect(calculateNextRunAt('0 0 1 * 1', 'UTC', at('2026-06-02T10:00:00Z'))?.iso).toBe('2026-06-08T00:00:00+00:00');
    // Monday 29th: the 1st of July (Wednesday) comes before the next Monday.
    expect(calculateNextRunAt('0 0 1 * 1', 'UTC', at('2026-06-29T10:00:00Z'))?.iso).toBe('2026-07-01T00:00:00+00:00');
    expect(calculateNextRunAt('@daily', 'Asia/Tokyo', at('2026-06-02T10:00:00Z'))?.iso).toBe('2026-06-03T00:00:00+09:00');
    expect(calculateNextRunAt('@midnight', 'UTC', at('2026-06-02T10:00:00Z'))?.iso).toBe('2026-06-03T00:00:00+00:00');
    expect(calculateNextRunAt('@hourly', 'UTC', at('2026-06-02T10:00:00Z'))?.iso).toBe('2026-06-02T11:00:00+00:00');
    expect(calculateNextRunAt('@weekdays', 'UTC', at('2026-06-02T10:00:00Z'))).toBeNull();
  });

  it('gives null for anything croniter or pytz rejects', () => {
    for (const expr of ['', '0 9 * *', 'not a cron', '61 9 * * *', '0 9 * * * 0 2026 x']) {
      expect(calculateNextRunAt(expr, 'UTC', at('2026-06-02T10:00:00Z'))).toBeNull();
    }
    expect(calculateNextRunAt('0 9 * * *', 'Mars/Olympus', at('2026-06-02T10:00:00Z'))).toBeNull();
  });

  it('rounds like Python round() (half to even on the exact binary value)', () => {
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(pyRound(0.375, 2)).toBe(0.38);
    expect(pyRound(2 / 3 * 100, 1)).toBe(66.7);
    expect(pyRound(1.23456789, 4)).toBe(1.2346);
  });
});

describe.each(DRIVERS)('ScheduleRepository on %s', (driver: Driver) => {
  let ds: TrinityDataSource;
  let users: UserRepository;

  beforeAll(async () => {
    ds = await openTestDataSource(driver);
    users = repositoryOn(ds, UserRepository);
  });

  /** Raw SQL with ? placeholders on either driver. */
  const q = (sql: string, params: unknown[] = []) => raw(ds, driver, sql, params);

  function make(start = '2026-03-01T10:00:00.123Z') {
    const time = testClock(start);
    return { time, repo: repositoryOn(ds, ScheduleRepository, { clock: time.clock }) };
  }

  /** A user, optionally owning `owns` and with agents shared to its email. */
  async function user(username: string, options: { role?: string; owns?: string[]; email?: string } = {}) {
    const created = await users.createUser({ username, role: options.role ?? 'user', email: options.email ?? `${username}@x.com` });
    for (const agent of options.owns ?? []) {
      await q(`INSERT INTO agent_ownership (agent_name, owner_id, created_at) VALUES (?, ?, ?)`, [agent, created.id, driver === 'sqlite' ? '2026-01-01T00:00:00' : at('2026-01-01T00:00:00Z')]);
    }
    return created;
  }

  async function share(agent: string, email: string, byId: number) {
    await q(`INSERT INTO agent_sharing (agent_name, shared_with_email, shared_by_id, created_at) VALUES (?, ?, ?, ?)`, [agent, email, byId, driver === 'sqlite' ? '2026-01-01T00:00:00' : at('2026-01-01T00:00:00Z')]);
  }

  /** A stored timestamp as SQLite text (legacy shape) or as a PostgreSQL timestamptz. */
  const stamp = (text: string) => (driver === 'sqlite' ? text : at(/Z|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`));

  /** An execution row written like the Python backend (Z6) or the scheduler service (naive). */
  async function executionRow(id: string, agent: string, startedAt: string, fields: { status?: string; cost?: number | null; duration?: number | null; session?: string | null; completedAt?: string | null; scheduleId?: string } = {}) {
    await q(
      `INSERT INTO schedule_executions (id, schedule_id, agent_name, status, started_at, completed_at, duration_ms, message, triggered_by, cost, claude_session_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'm', 'schedule', ?, ?)`,
      [id, fields.scheduleId ?? 'sched', agent, fields.status ?? 'success', stamp(startedAt), fields.completedAt ? stamp(fields.completedAt) : null, fields.duration ?? null, fields.cost ?? null, fields.session ?? null],
    );
  }

  async function storedText(table: string, column: string, id: string): Promise<unknown> {
    const [row] = await q(`SELECT ${column} AS v FROM ${table} WHERE id = ?`, [id]);
    return row?.v;
  }

  const baseSchedule = { name: 'Daily', cron_expression: '0 9 * * *', message: 'go', timezone: 'Europe/Berlin' };

  // ---------------------------------------------------------------------------------------------
  // Schedules
  // ---------------------------------------------------------------------------------------------

  it('creates a schedule with next_run_at in the local offset and reads it back', async () => {
    const { repo } = make('2026-03-28T10:00:00.123Z');
    const owner = await user('s1-owner', { owns: ['s1-agent'] });
    const created = await repo.createSchedule('s1-agent', 's1-owner', { ...baseSchedule, description: 'd', allowed_tools: [], model: 'm1' });
    expect(created).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      agent_name: 's1-agent',
      name: 'Daily',
      cron_expression: '0 9 * * *',
      message: 'go',
      enabled: true,
      timezone: 'Europe/Berlin',
      description: 'd',
      owner_id: owner.id,
      created_at: at('2026-03-28T10:00:00.123Z'),
      updated_at: at('2026-03-28T10:00:00.123Z'),
      last_run_at: null,
      next_run_at: at('2026-03-29T07:00:00Z'),
      timeout_seconds: 900,
      allowed_tools: [],
      model: 'm1',
    });
    expect(await repo.getSchedule(created!.id)).toEqual(created);
    if (driver === 'sqlite') {
      expect(await storedText('agent_schedules', 'next_run_at', created!.id)).toBe('2026-03-29T09:00:00+02:00');
      expect(await storedText('agent_schedules', 'created_at', created!.id)).toBe('2026-03-28T10:00:00.123000Z');
      expect(await storedText('agent_schedules', 'allowed_tools', created!.id)).toBe('[]');
      expect(await storedText('agent_schedules', 'enabled', created!.id)).toBe(1);
    }
    expect(await repo.getSchedule('missing')).toBeNull();
  });

  it('creates with a NULL next run for a bad cron or zone and when disabled; UTC ends with +00:00', async () => {
    const { repo } = make('2026-03-28T10:00:00Z');
    await user('s2-owner', { owns: ['s2-agent'] });
    const badCron = await repo.createSchedule('s2-agent', 's2-owner', { ...baseSchedule, cron_expression: 'every day' });
    const badZone = await repo.createSchedule('s2-agent', 's2-owner', { ...baseSchedule, timezone: 'Mars/Base' });
    const disabled = await repo.createSchedule('s2-agent', 's2-owner', { ...baseSchedule, enabled: false });
    const utc = await repo.createSchedule('s2-agent', 's2-owner', { name: 'u', cron_expression: '0 9 * * *', message: 'x' });
    for (const s of [badCron, badZone, disabled]) {
      expect(s).not.toBeNull();
      expect((await repo.getSchedule(s!.id))?.next_run_at).toBeNull();
    }
    expect(utc).toMatchObject({ timezone: 'UTC', next_run_at: at('2026-03-29T09:00:00Z') });
    if (driver === 'sqlite') expect(await storedText('agent_schedules', 'next_run_at', utc!.id)).toBe('2026-03-29T09:00:00+00:00');
  });

  it('lets admins, owners and shared users create; others and unknown users get null; bad input is rejected', async () => {
    const { repo } = make();
    const owner = await user('s3-owner', { owns: ['s3-agent'] });
    await user('s3-admin', { role: 'admin' });
    await user('s3-shared', { email: 'S3-Shared@X.com' });
    await user('s3-stranger');
    await share('s3-agent', 's3-shared@x.com', owner.id);
    expect(await repo.createSchedule('s3-agent', 's3-shared', baseSchedule)).toMatchObject({ agent_name: 's3-agent' });
    expect(await repo.createSchedule('no-such-agent', 's3-admin', baseSchedule)).toMatchObject({ agent_name: 'no-such-agent' });
    expect(await repo.createSchedule('s3-agent', 's3-stranger', baseSchedule)).toBeNull();
    expect(await repo.createSchedule('s3-agent', 'nobody', baseSchedule)).toBeNull();
    await expect(repo.createSchedule('s3-agent', 's3-owner', { ...baseSchedule, name: '' })).rejects.toMatchObject({ name: 'InputValidationError', field: 'name' });
    await expect(repo.createSchedule('s3-agent', 's3-owner', { ...baseSchedule, allowed_tools: [1] as never })).rejects.toMatchObject({ field: 'allowed_tools' });
    await expect(repo.createSchedule('s3-agent', 's3-owner', { ...baseSchedule, timeout_seconds: 1.5 })).rejects.toBeInstanceOf(InputValidationError);
    expect(await repo.listAgentSchedules('s3-agent')).toHaveLength(1);
  });

  it('asks an injected agent repository (agent_ops) for access when one is given', async () => {
    await user('s3b-admin', { role: 'admin' });
    await user('s3b-stranger');
    const asked: string[] = [];
    const agentAccess = { canUserAccessAgent: async (username: string, agent: string) => (asked.push(`${username}:${agent}`), username === 's3b-stranger') };
    const repo = repositoryOn(ds, ScheduleRepository, { agentAccess });
    expect(await repo.createSchedule('s3b-agent', 's3b-admin', baseSchedule)).toBeNull();
    expect(await repo.createSchedule('s3b-agent', 's3b-stranger', baseSchedule)).toMatchObject({ agent_name: 's3b-agent' });
    expect(await repo.createSchedule('s3b-agent', 's3b-ghost', baseSchedule)).toBeNull(); // unknown user: not even asked
    expect(asked).toEqual(['s3b-admin:s3b-agent', 's3b-stranger:s3b-agent']);
  });

  it('without one, answers with the one access rule of AgentRepository.canUserAccessAgent', async () => {
    await user('s3c-owner', { owns: ['s3c-agent'] });
    const spy = jest.spyOn(AgentRepository.prototype, 'canUserAccessAgent');
    try {
      expect(await repositoryOn(ds, ScheduleRepository).createSchedule('s3c-agent', 's3c-owner', baseSchedule)).toMatchObject({ agent_name: 's3c-agent' });
      expect(spy).toHaveBeenCalledWith('s3c-owner', 's3c-agent');
    } finally {
      spy.mockRestore();
    }
  });

  it('lists schedules: per agent newest first, enabled/disabled/all by agent and name, and counts', async () => {
    const { repo, time } = make('2026-03-01T00:00:00Z');
    await user('s4-owner', { owns: ['s4-b', 's4-a'] });
    const b1 = await repo.createSchedule('s4-b', 's4-owner', { ...baseSchedule, name: 'zeta' });
    time.set('2026-03-02T00:00:00Z');
    const b2 = await repo.createSchedule('s4-b', 's4-owner', { ...baseSchedule, name: 'Alpha', enabled: false });
    const a1 = await repo.createSchedule('s4-a', 's4-owner', { ...baseSchedule, name: 'mid' });
    expect((await repo.listAgentSchedules('s4-b')).map((s) => s.id)).toEqual([b2!.id, b1!.id]);
    const mine = (list: { agent_name: string; id: string }[]) => list.filter((s) => s.agent_name.startsWith('s4-')).map((s) => s.id);
    // Byte order: 'Alpha' < 'zeta' (upper case first).
    expect(mine(await repo.listAllSchedules())).toEqual([a1!.id, b2!.id, b1!.id]);
    expect(mine(await repo.listAllEnabledSchedules())).toEqual([a1!.id, b1!.id]);
    expect(mine(await repo.listAllDisabledSchedules())).toEqual([b2!.id]);
    const counts = await repo.getAllAgentsScheduleCounts();
    expect(counts['s4-a']).toEqual({ total: 1, enabled: 1 });
    expect(counts['s4-b']).toEqual({ total: 2, enabled: 1 });
  });

  it('updates a schedule: recomputes next run on enabled/cron/timezone, refuses unknown keys, owner or admin only', async () => {
    const { repo, time } = make('2026-03-28T10:00:00Z');
    const owner = await user('s5-owner', { owns: ['s5-agent'] });
    await user('s5-admin', { role: 'admin' });
    await user('s5-shared');
    await share('s5-agent', 's5-shared@x.com', owner.id);
    const s = (await repo.createSchedule('s5-agent', 's5-owner', { ...baseSchedule, allowed_tools: ['Read'] }))!;
    time.set('2026-03-29T12:00:00Z');
    // An unknown key is refused (Python ignored it), and nothing is written.
    await expect(repo.updateSchedule(s.id, 's5-owner', { name: 'renamed', foo: 1 } as never)).rejects.toMatchObject({ name: 'InputValidationError', field: 'updates.foo' });
    expect(await repo.getSchedule(s.id)).toEqual(s);
    // Unchanged enabled still recomputes next_run_at (now after the Sunday run) and bumps updated_at.
    const again = await repo.updateSchedule(s.id, 's5-owner', { enabled: true });
    expect(again).toMatchObject({ next_run_at: at('2026-03-30T07:00:00Z'), updated_at: at('2026-03-29T12:00:00Z') });
    // Shared users can create but cannot edit; admins can.
    expect(await repo.updateSchedule(s.id, 's5-shared', { name: 'x' })).toBeNull();
    expect(await repo.updateSchedule(s.id, 'ghost', { name: 'x' })).toBeNull();
    expect(await repo.updateSchedule('missing', 's5-admin', { name: 'x' })).toBeNull();
    const tz = await repo.updateSchedule(s.id, 's5-admin', { timezone: 'Asia/Tokyo', cron_expression: '30 8 * * *', allowed_tools: null, timeout_seconds: 0, description: null });
    expect(tz).toMatchObject({ timezone: 'Asia/Tokyo', next_run_at: at('2026-03-29T23:30:00Z'), allowed_tools: null, timeout_seconds: 900, description: null });
    if (driver === 'sqlite') {
      expect(await storedText('agent_schedules', 'next_run_at', s.id)).toBe('2026-03-30T08:30:00+09:00');
      expect(await storedText('agent_schedules', 'allowed_tools', s.id)).toBeNull();
      expect(await storedText('agent_schedules', 'timeout_seconds', s.id)).toBe(0);
    }
    expect(await repo.updateSchedule(s.id, 's5-owner', { enabled: false })).toMatchObject({ enabled: false, next_run_at: null });
    // Enabling again with no cron change uses the stored cron and zone.
    expect(await repo.updateSchedule(s.id, 's5-owner', { enabled: true })).toMatchObject({ enabled: true, next_run_at: at('2026-03-29T23:30:00Z') });
    await expect(repo.updateSchedule(s.id, 's5-owner', { timezone: null } as never)).rejects.toMatchObject({ field: 'timezone' });
    await expect(repo.updateSchedule(s.id, 's5-owner', { name: null } as never)).rejects.toMatchObject({ field: 'name' });
    expect((await repo.getSchedule(s.id))?.timezone).toBe('Asia/Tokyo');
  });

  it('enables and disables without a permission check, and sets run times without clearing them', async () => {
    const { repo, time } = make('2026-03-28T10:00:00Z');
    await user('s6-owner', { owns: ['s6-agent'] });
    const s = (await repo.createSchedule('s6-agent', 's6-owner', { ...baseSchedule, enabled: false }))!;
    expect(await repo.setScheduleEnabled('missing', true)).toBe(false);
    time.set('2026-03-28T11:00:00Z');
    expect(await repo.setScheduleEnabled(s.id, true)).toBe(true);
    expect(await repo.getSchedule(s.id)).toMatchObject({ enabled: true, next_run_at: at('2026-03-29T07:00:00Z'), updated_at: at('2026-03-28T11:00:00Z') });
    expect(await repo.setScheduleEnabled(s.id, false)).toBe(true);
    expect(await repo.getSchedule(s.id)).toMatchObject({ enabled: false, next_run_at: null });
    await expect(repo.setScheduleEnabled(s.id, 1 as never)).rejects.toMatchObject({ field: 'enabled' });

    time.set('2026-03-28T12:00:00Z');
    expect(await repo.updateScheduleRunTimes(s.id, at('2026-03-28T09:00:00Z'), '2026-03-29T09:00:00+02:00')).toBe(true);
    expect(await repo.getSchedule(s.id)).toMatchObject({ last_run_at: at('2026-03-28T09:00:00Z'), next_run_at: at('2026-03-29T07:00:00Z'), updated_at: at('2026-03-28T12:00:00Z') });
    if (driver === 'sqlite') {
      expect(await storedText('agent_schedules', 'last_run_at', s.id)).toBe('2026-03-28T09:00:00');
      expect(await storedText('agent_schedules', 'next_run_at', s.id)).toBe('2026-03-29T09:00:00+02:00');
    }
    time.set('2026-03-28T13:00:00Z');
    expect(await repo.updateScheduleRunTimes(s.id)).toBe(true);
    expect(await repo.getSchedule(s.id)).toMatchObject({ last_run_at: at('2026-03-28T09:00:00Z'), next_run_at: at('2026-03-29T07:00:00Z'), updated_at: at('2026-03-28T13:00:00Z') });
    expect(await repo.updateScheduleRunTimes('missing', at('2026-03-28T09:00:00Z'))).toBe(false);
    await expect(repo.updateScheduleRunTimes(s.id, 'yesterday')).rejects.toMatchObject({ field: 'lastRunAt' });
  });

  it('deletes a schedule with its executions (owner/admin only), and all schedules of an agent but not its manual tasks', async () => {
    const { repo } = make();
    await user('s7-owner', { owns: ['s7-agent'] });
    await user('s7-other');
    const s1 = (await repo.createSchedule('s7-agent', 's7-owner', baseSchedule))!;
    const s2 = (await repo.createSchedule('s7-agent', 's7-owner', baseSchedule))!;
    const s3 = (await repo.createSchedule('s7-agent', 's7-owner', baseSchedule))!;
    const e1 = await repo.createScheduleExecution(s1.id, 's7-agent', 'm');
    const e2 = await repo.createScheduleExecution(s2.id, 's7-agent', 'm');
    const manual = await repo.createTaskExecution('s7-agent', 'm');
    expect(await repo.deleteSchedule(s1.id, 's7-other')).toBe(false);
    expect(await repo.deleteSchedule(s1.id, 'ghost')).toBe(false);
    expect(await repo.deleteSchedule(s1.id, 's7-owner')).toBe(true);
    expect(await repo.getSchedule(s1.id)).toBeNull();
    expect(await repo.getExecution(e1.id)).toBeNull();
    expect(await repo.deleteSchedule(s1.id, 's7-owner')).toBe(false);
    expect(await repo.deleteAgentSchedules('s7-agent')).toBe(2);
    expect([await repo.getSchedule(s2.id), await repo.getSchedule(s3.id), await repo.getExecution(e2.id)]).toEqual([null, null, null]);
    expect(await repo.getExecution(manual.id)).not.toBeNull();
    expect(await repo.deleteAgentSchedules('s7-agent')).toBe(0);
  });

  it('rolls back the execution delete when the schedule delete fails', async () => {
    const { repo } = make();
    await user('s8-owner', { owns: ['s8-agent'] });
    const s = (await repo.createSchedule('s8-agent', 's8-owner', baseSchedule))!;
    const e = await repo.createScheduleExecution(s.id, 's8-agent', 'm');
    await failWrites(ds, driver, 'DELETE', 'agent_schedules', { name: 's8_block', message: 'blocked' });
    try {
      await expect(repo.deleteSchedule(s.id, 's8-owner')).rejects.toThrow(/blocked/);
      await expect(repo.deleteAgentSchedules('s8-agent')).rejects.toThrow(/blocked/);
    } finally {
      await q(driver === 'sqlite' ? `DROP TRIGGER s8_block` : `DROP TRIGGER s8_block ON agent_schedules`);
      if (driver === 'postgres') await q(`DROP FUNCTION s8_block()`);
    }
    expect(await repo.getExecution(e.id)).not.toBeNull();
    expect(await repo.getSchedule(s.id)).not.toBeNull();
  });

  // ---------------------------------------------------------------------------------------------
  // Executions
  // ---------------------------------------------------------------------------------------------

  it('creates task and schedule executions as running rows', async () => {
    const { repo } = make('2026-03-01T10:00:00Z');
    const task = await repo.createTaskExecution('e1-agent', 'hello', 'mcp', { sourceUserId: 7, sourceUserEmail: 'a@x.com', sourceAgentName: 'caller', sourceMcpKeyId: 'k1', sourceMcpKeyName: 'key', modelUsed: 'opus', fanOutId: 'fo1', subscriptionId: 'sub1' });
    const expected = {
      id: task.id,
      schedule_id: '__manual__',
      agent_name: 'e1-agent',
      status: 'running',
      started_at: at('2026-03-01T10:00:00Z'),
      completed_at: null,
      duration_ms: null,
      message: 'hello',
      response: null,
      error: null,
      triggered_by: 'mcp',
      context_used: null,
      context_max: null,
      cost: null,
      tool_calls: null,
      execution_log: null,
      source_user_id: 7,
      source_user_email: 'a@x.com',
      source_agent_name: 'caller',
      source_mcp_key_id: 'k1',
      source_mcp_key_name: 'key',
      claude_session_id: null,
      model_used: 'opus',
      fan_out_id: 'fo1',
      subscription_id: 'sub1',
    };
    expect(task).toEqual(expected);
    expect(await repo.getExecution(task.id)).toEqual(expected);
    const defaults = await repo.createTaskExecution('e1-agent', 'x');
    expect(defaults).toMatchObject({ triggered_by: 'manual', schedule_id: '__manual__', fan_out_id: null });
    const scheduled = await repo.createScheduleExecution('any-schedule', 'e1-agent', 'y');
    expect(await repo.getExecution(scheduled.id)).toMatchObject({ schedule_id: 'any-schedule', triggered_by: 'schedule', fan_out_id: null, status: 'running' });
    if (driver === 'sqlite') expect(await storedText('schedule_executions', 'started_at', task.id)).toBe('2026-03-01T10:00:00.000000Z');
    await expect(repo.createTaskExecution('e1-agent', 'x', 'manual', { sourceUserId: 'seven' as never })).rejects.toMatchObject({ field: 'sourceUserId' });
    expect(await repo.getExecution('missing')).toBeNull();
  });

  it('marks dispatched once, and a status update overwrites every optional column', async () => {
    const { repo, time } = make('2026-03-01T10:00:00.250Z');
    const e = await repo.createTaskExecution('e2-agent', 'x');
    expect(await repo.markExecutionDispatched(e.id)).toBe(true);
    expect(await repo.markExecutionDispatched(e.id)).toBe(false); // already has a marker
    expect((await repo.getExecution(e.id))?.claude_session_id).toBe('dispatched');
    time.set('2026-03-01T10:00:01.999Z');
    const toolCalls = '[{"id": "toolu_01", "name": "Read"}, "x"]';
    expect(await repo.updateExecutionStatus(e.id, 'success', { response: 'ok', contextUsed: 10, contextMax: 200000, cost: 0.5, toolCalls, executionLog: '[]' })).toBe(true);
    expect(await repo.getExecution(e.id)).toMatchObject({
      status: 'success',
      completed_at: at('2026-03-01T10:00:01.999Z'),
      duration_ms: 1749,
      response: 'ok',
      context_used: 10,
      context_max: 200000,
      cost: 0.5,
      tool_calls: toolCalls,
      execution_log: '[]',
      claude_session_id: null, // the dispatched marker is gone
    });
    if (driver === 'sqlite') expect(await storedText('schedule_executions', 'completed_at', e.id)).toBe('2026-03-01T10:00:01.999000Z');
    // No status guard, and omitted arguments become NULL again.
    expect(await repo.updateExecutionStatus(e.id, 'failed', { error: 'boom', claudeSessionId: 'sess-1' })).toBe(true);
    expect(await repo.getExecution(e.id)).toMatchObject({ status: 'failed', response: null, cost: null, tool_calls: null, error: 'boom', claude_session_id: 'sess-1' });
    expect(await repo.markExecutionDispatched(e.id)).toBe(false); // not running
    expect(await repo.updateExecutionStatus('missing', 'success')).toBe(false);
    await expect(repo.updateExecutionStatus(e.id, 'success', { cost: 'free' as never })).rejects.toMatchObject({ field: 'cost' });
  });

  it('lists executions newest first with a limit, and the summary without the heavy columns', async () => {
    const { repo, time } = make('2026-03-01T10:00:00Z');
    const s1 = await repo.createScheduleExecution('e3-sched', 'e3-agent', 'first');
    time.set('2026-03-01T11:00:00Z');
    const m = await repo.createTaskExecution('e3-agent', 'second');
    time.set('2026-03-01T12:00:00Z');
    const s2 = await repo.createScheduleExecution('e3-sched', 'e3-agent', 'third');
    await executionRow('e3-naive', 'e3-agent', '2026-03-01T11:30:00', { scheduleId: 'e3-sched' }); // scheduler-service row
    expect((await repo.getScheduleExecutions('e3-sched')).map((e) => e.id)).toEqual([s2.id, 'e3-naive', s1.id]);
    expect((await repo.getScheduleExecutions('e3-sched', 1)).map((e) => e.id)).toEqual([s2.id]);
    expect(await repo.getScheduleExecutions('e3-sched', 0)).toEqual([]);
    expect(await repo.getScheduleExecutions('e3-sched', -1)).toHaveLength(3);
    expect((await repo.getAgentExecutions('e3-agent')).map((e) => e.id)).toEqual([s2.id, 'e3-naive', m.id, s1.id]);
    const summary = await repo.getAgentExecutionsSummary('e3-agent', 2);
    expect(summary.map((e) => e.id)).toEqual([s2.id, 'e3-naive']);
    expect(Object.keys(summary[0]).sort()).toEqual(
      ['id', 'schedule_id', 'agent_name', 'status', 'started_at', 'completed_at', 'duration_ms', 'message', 'triggered_by', 'context_used', 'context_max', 'cost', 'source_user_id', 'source_user_email', 'source_agent_name', 'source_mcp_key_id', 'source_mcp_key_name', 'claude_session_id', 'model_used', 'fan_out_id'].sort(),
    );
    expect(summary[1].started_at).toEqual(at('2026-03-01T11:30:00Z'));
    await expect(repo.getAgentExecutions('e3-agent', 2.5)).rejects.toMatchObject({ field: 'limit' });
  });

  // ---------------------------------------------------------------------------------------------
  // Statistics
  // ---------------------------------------------------------------------------------------------

  it('agent stats count exactly the last N hours over Z6 and naive rows', async () => {
    const { repo } = make('2026-03-10T06:00:00Z');
    // now-24h = 2026-03-09T06:00Z. The 30 h old row is on that UTC date: Python counted it, we do not.
    await executionRow('st1-30h', 'st1', '2026-03-09T00:00:00.000000Z', { status: 'success', cost: 5, duration: 1 });
    await executionRow('st1-edge', 'st1', '2026-03-09T05:59:59.999000Z', { status: 'success', cost: 5 });
    await executionRow('st1-a', 'st1', '2026-03-09T06:00:00.500000Z', { status: 'success', cost: 0.1, duration: 1000 });
    await executionRow('st1-b', 'st1', '2026-03-09T20:00:00', { status: 'success', cost: 0.2, duration: 2001 }); // naive
    await executionRow('st1-c', 'st1', '2026-03-10T05:00:00.123456', { status: 'failed', cost: null, duration: null }); // naive
    await executionRow('st1-d', 'st1', '2026-03-10T05:30:00.000000Z', { status: 'running', cost: 0.00005 });
    expect(await repo.getAgentExecutionStats('st1')).toEqual({
      task_count: 4,
      success_count: 2,
      failed_count: 1,
      running_count: 1,
      success_rate: 50,
      total_cost: 0.3001,
      avg_duration_ms: 1500, // (1000 + 2001) / 2 truncated
      last_execution_at: at('2026-03-10T05:30:00Z'),
    });
    expect((await repo.getAgentExecutionStats('st1', 1)).task_count).toBe(2); // 05:00:00.123 and 05:30
    expect((await repo.getAgentExecutionStats('st1', 48)).task_count).toBe(6);
    expect(await repo.getAgentExecutionStats('st1-none')).toEqual({ task_count: 0, success_count: 0, failed_count: 0, running_count: 0, success_rate: 0, total_cost: 0, avg_duration_ms: null, last_execution_at: null });
    await expect(repo.getAgentExecutionStats('st1', -1)).rejects.toMatchObject({ field: 'hours' });
  });

  it('agent stats: avg_duration_ms is null when the average is 0, and rates round like Python', async () => {
    const { repo } = make('2026-03-11T12:00:00Z');
    await executionRow('st2-a', 'st2', '2026-03-11T11:00:00.000000Z', { status: 'success', duration: 0, cost: 0.00125 });
    await executionRow('st2-b', 'st2', '2026-03-11T11:00:01.000000Z', { status: 'failed', duration: 0, cost: 0.001 });
    await executionRow('st2-c', 'st2', '2026-03-11T11:00:02.000000Z', { status: 'failed', duration: 0 });
    const stats = await repo.getAgentExecutionStats('st2');
    expect(stats).toMatchObject({ task_count: 3, success_rate: 33.3, avg_duration_ms: null, total_cost: 0.0023 }); // the binary sum is 0.0022500000000000003
  });

  it('fleet stats per agent for N hours, and the 24 h / 7 d dual view', async () => {
    const { repo } = make('2026-03-20T12:00:00Z');
    await executionRow('st3-1', 'st3-x', '2026-03-20T11:00:00.000000Z', { status: 'success', cost: 1 });
    await executionRow('st3-2', 'st3-x', '2026-03-20T10:00:00', { status: 'failed', cost: 2 });
    await executionRow('st3-3', 'st3-x', '2026-03-19T11:00:00.000000Z', { status: 'success', cost: 4 }); // 25 h: 7 d only
    await executionRow('st3-4', 'st3-x', '2026-03-13T12:00:01.000000Z', { status: 'running' }); // just inside 7 d
    await executionRow('st3-5', 'st3-x', '2026-03-13T11:59:59.000000Z', { status: 'success', cost: 100 }); // outside
    await executionRow('st3-6', 'st3-y', '2026-03-18T00:00:00.000000Z', { status: 'success' }); // 7 d only
    const mine = <T extends { name: string }>(rows: T[]) => rows.filter((r) => r.name.startsWith('st3-'));
    expect(mine(await repo.getAllAgentsExecutionStats())).toEqual([
      { name: 'st3-x', task_count_24h: 2, success_count: 1, failed_count: 1, running_count: 0, success_rate: 50, total_cost: 3, last_execution_at: at('2026-03-20T11:00:00Z') },
    ]);
    expect(mine(await repo.getAllAgentsExecutionStats(26))[0]).toMatchObject({ task_count_24h: 3, success_rate: 66.7, total_cost: 7 });
    expect(mine(await repo.getAllAgentsExecutionStatsDual())).toEqual([
      {
        name: 'st3-x', task_count_24h: 2, success_count: 1, failed_count: 1, running_count: 0, success_rate: 50, total_cost: 3, last_execution_at: at('2026-03-20T11:00:00Z'),
        task_count_7d: 4, success_count_7d: 2, failed_count_7d: 1, running_count_7d: 1, success_rate_7d: 50, total_cost_7d: 7, last_execution_at_7d: at('2026-03-20T11:00:00Z'),
      },
      {
        name: 'st3-y', task_count_24h: 0, success_count: 0, failed_count: 0, running_count: 0, success_rate: 0, total_cost: 0, last_execution_at: null,
        task_count_7d: 1, success_count_7d: 1, failed_count_7d: 0, running_count_7d: 0, success_rate_7d: 100, total_cost_7d: 0, last_execution_at_7d: at('2026-03-18T00:00:00Z'),
      },
    ]);
  });

  // ---------------------------------------------------------------------------------------------
  // Git config
  // ---------------------------------------------------------------------------------------------

  it('creates git configs with the default paths as Python json.dumps text; a duplicate gives null', async () => {
    const { repo } = make('2026-03-05T08:00:00Z');
    const created = await repo.createGitConfig('g1-agent', 'o/r', 'trinity/g1', 'i1', []);
    expect(created).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      agent_name: 'g1-agent',
      github_repo: 'o/r',
      working_branch: 'trinity/g1',
      instance_id: 'i1',
      source_branch: 'main',
      source_mode: false,
      created_at: at('2026-03-05T08:00:00Z'),
      last_sync_at: null,
      last_commit_sha: null,
      sync_enabled: true,
      sync_paths: '["memory/", "outputs/", "CLAUDE.md", ".claude/"]',
    });
    expect(await repo.getGitConfig('g1-agent')).toEqual(created);
    expect(await repo.createGitConfig('g1-agent', 'o/other', 'b', 'i2')).toBeNull();
    const custom = await repo.createGitConfig('g1-custom', 'o/r', 'main', 'i3', ['docs/', 'é.md'], 'dev', true);
    expect(custom).toMatchObject({ source_branch: 'dev', source_mode: true, sync_paths: '["docs/", "\\u00e9.md"]' });
    expect((await repo.getGitConfig('g1-custom'))?.sync_paths).toBe('["docs/", "\\u00e9.md"]');
    expect((await repo.createGitConfig('g1-null', 'o/r', 'main', 'i4'))?.sync_paths).toBe('["memory/", "outputs/", "CLAUDE.md", ".claude/"]');
    if (driver === 'sqlite') {
      expect(await storedText('agent_git_config', 'sync_paths', created!.id)).toBe('["memory/", "outputs/", "CLAUDE.md", ".claude/"]');
      expect(await storedText('agent_git_config', 'created_at', created!.id)).toBe('2026-03-05T08:00:00.000000Z');
    }
    await expect(repo.createGitConfig('g1-bad', 'o/r', 'main', 'i', 'memory/' as never)).rejects.toMatchObject({ field: 'syncPaths' });
    expect(await repo.getGitConfig('g1-bad')).toBeNull();
  });

  it('records syncs, toggles sync, lists enabled configs by agent name, and deletes', async () => {
    const { repo, time } = make('2026-03-05T08:00:00Z');
    await repo.createGitConfig('g2-b', 'o/b', 'main', 'i');
    await repo.createGitConfig('g2-a', 'o/a', 'main', 'i');
    await repo.createGitConfig('g2-c', 'o/c', 'main', 'i');
    time.set('2026-03-05T09:30:00.5Z');
    expect(await repo.updateGitSync('g2-a', 'abc123')).toBe(true);
    expect(await repo.getGitConfig('g2-a')).toMatchObject({ last_sync_at: at('2026-03-05T09:30:00.5Z'), last_commit_sha: 'abc123' });
    expect(await repo.updateGitSync('g2-missing', 'abc')).toBe(false);
    expect(await repo.setGitSyncEnabled('g2-c', false)).toBe(true);
    expect(await repo.setGitSyncEnabled('g2-c', false)).toBe(true); // matched rows count, as SQLite changes()
    expect(await repo.setGitSyncEnabled('g2-missing', true)).toBe(false);
    expect((await repo.getGitConfig('g2-c'))?.sync_enabled).toBe(false);
    expect((await repo.listGitEnabledAgents()).map((g) => g.agent_name).filter((n) => n.startsWith('g2-'))).toEqual(['g2-a', 'g2-b']);
    expect(await repo.deleteGitConfig('g2-b')).toBe(true);
    expect(await repo.deleteGitConfig('g2-b')).toBe(false);
    expect(await repo.getGitConfig('g2-b')).toBeNull();
  });

  // ---------------------------------------------------------------------------------------------
  // Cleanup. These act on every row of the database: each test runs at an earlier clock than the
  // tests before it, so rows left running elsewhere are never older than its cut-off.
  // ---------------------------------------------------------------------------------------------

  it('lists running executions and fails the stale ones, Z6 and naive alike', async () => {
    const { repo } = make('2025-06-01T12:00:00Z');
    await executionRow('c1-old-z6', 'c1', '2025-06-01T11:29:59.999000Z', { status: 'running', session: 's' });
    await executionRow('c1-old-naive', 'c1', '2025-06-01T11:29:59', { status: 'running', session: 's' });
    await executionRow('c1-edge-naive', 'c1', '2025-06-01T11:30:00', { status: 'running', session: 's' }); // exactly 30 min: not older
    await executionRow('c1-new', 'c1', '2025-06-01T11:45:00.000000Z', { status: 'running', session: 's' });
    await executionRow('c1-done', 'c1', '2025-06-01T10:00:00.000000Z', { status: 'success', session: 's' });
    const running = (await repo.getRunningExecutions()).filter((r) => r.agent_name === 'c1');
    expect(running).toEqual([
      { id: 'c1-old-naive', agent_name: 'c1', started_at: at('2025-06-01T11:29:59Z'), schedule_id: 'sched' },
      { id: 'c1-old-z6', agent_name: 'c1', started_at: at('2025-06-01T11:29:59.999Z'), schedule_id: 'sched' },
      { id: 'c1-edge-naive', agent_name: 'c1', started_at: at('2025-06-01T11:30:00Z'), schedule_id: 'sched' },
      { id: 'c1-new', agent_name: 'c1', started_at: at('2025-06-01T11:45:00Z'), schedule_id: 'sched' },
    ]);
    expect(await repo.markStaleExecutionsFailed()).toBe(2);
    expect(await repo.getExecution('c1-old-z6')).toMatchObject({ status: 'failed', completed_at: at('2025-06-01T12:00:00Z'), duration_ms: 1800001, error: 'Marked as failed by cleanup: exceeded 30-minute timeout' });
    expect(await repo.getExecution('c1-old-naive')).toMatchObject({ status: 'failed', duration_ms: 1801000 });
    expect((await repo.getExecution('c1-edge-naive'))?.status).toBe('running');
    expect((await repo.getExecution('c1-done'))?.status).toBe('success');
    expect(await repo.markStaleExecutionsFailed(10)).toBe(2); // the edge row and 11:45 are 15+ min old
    expect((await repo.getExecution('c1-new'))?.error).toBe('Marked as failed by cleanup: exceeded 10-minute timeout');
    expect(await repo.markStaleExecutionsFailed()).toBe(0);
  });

  it('fails running executions without a session, but not dispatched ones', async () => {
    const { repo } = make('2025-03-01T12:00:00Z');
    await executionRow('c2-null', 'c2', '2025-03-01T11:58:00.000000Z', { status: 'running', session: null });
    await executionRow('c2-empty', 'c2', '2025-03-01T11:58:00', { status: 'running', session: '' });
    await executionRow('c2-dispatched', 'c2', '2025-03-01T11:00:00.000000Z', { status: 'running', session: 'dispatched' });
    await executionRow('c2-young', 'c2', '2025-03-01T11:59:30.000000Z', { status: 'running', session: null });
    expect(await repo.markNoSessionExecutionsFailed()).toBe(2);
    expect(await repo.getExecution('c2-empty')).toMatchObject({ status: 'failed', duration_ms: 120000, error: 'Silent launch failure: no Claude session created within 60 seconds' });
    expect((await repo.getExecution('c2-null'))?.status).toBe('failed');
    expect((await repo.getExecution('c2-dispatched'))?.status).toBe('running');
    expect((await repo.getExecution('c2-young'))?.status).toBe('running');
    expect(await repo.markNoSessionExecutionsFailed(20)).toBe(1);
    expect((await repo.getExecution('c2-young'))?.error).toBe('Silent launch failure: no Claude session created within 20 seconds');
    // Leave nothing running for later cleanup tests.
    expect(await repo.failStaleSlotExecution('c2-dispatched', 'slot freed')).toBe(true);
  });

  it('fails one stale slot execution only while it is running, and finalizes orphaned skipped rows', async () => {
    const { repo } = make('2025-01-01T00:00:10Z');
    await executionRow('c3-run', 'c3', '2025-01-01T00:00:00.000000Z', { status: 'running' });
    await executionRow('c3-skip-z6', 'c3', '2024-12-31T23:00:00.000000Z', { status: 'skipped' });
    await executionRow('c3-skip-naive', 'c3', '2024-12-31T23:30:00', { status: 'skipped' });
    await executionRow('c3-skip-done', 'c3', '2024-12-31T23:40:00.000000Z', { status: 'skipped', completedAt: '2024-12-31T23:40:01.000000Z' });
    expect(await repo.failStaleSlotExecution('c3-run', 'slot expired')).toBe(true);
    expect(await repo.getExecution('c3-run')).toMatchObject({ status: 'failed', error: 'slot expired', duration_ms: 10000, completed_at: at('2025-01-01T00:00:10Z') });
    expect(await repo.failStaleSlotExecution('c3-run', 'again')).toBe(false);
    expect(await repo.failStaleSlotExecution('missing', 'x')).toBe(false);
    expect(await repo.finalizeOrphanedSkippedExecutions()).toBe(2);
    expect(await repo.getExecution('c3-skip-z6')).toMatchObject({ status: 'failed', completed_at: at('2024-12-31T23:00:00Z'), duration_ms: 0, error: 'Finalized by cleanup: skipped execution' });
    expect(await repo.getExecution('c3-skip-naive')).toMatchObject({ status: 'failed', completed_at: at('2024-12-31T23:30:00Z') });
    expect((await repo.getExecution('c3-skip-done'))?.status).toBe('skipped');
    if (driver === 'sqlite') expect(await storedText('schedule_executions', 'completed_at', 'c3-skip-naive')).toBe('2024-12-31T23:30:00');
    expect(await repo.finalizeOrphanedSkippedExecutions()).toBe(0);
  });
});

describe('ScheduleRepository on a migrated legacy file', () => {
  it('reads Python-written schedules, executions and git configs, and writes rows in the same formats', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const repo = repositoryOn(ds, ScheduleRepository, { clock: () => new Date('2026-03-21T06:00:00Z') });

    const digest = await repo.getSchedule('xwnD1KUZjuBgE7S6tU8WZg');
    expect(digest).toMatchObject({
      timezone: 'America/New_York',
      enabled: true,
      allowed_tools: ['Read', 'WebSearch', 'mcp__trinity__chat_with_agent'],
      model: 'claude-sonnet-4-5',
      timeout_seconds: 1200,
      description: '研究报告：第一季度总结（日本語のテキスト、한국어 텍스트）',
      created_at: at('2026-03-18T16:50:09.225Z'),
      last_run_at: at('2026-03-19T02:50:09.320Z'),
    });
    expect(await repo.getSchedule('qg9weOP5be4UbjmA5lwBDw')).toMatchObject({ allowed_tools: [], next_run_at: at('2026-03-20T08:30:00Z'), message: 'It\'s a "quoted" path: C:\\Users\\o\'brien\\notes.md' });
    expect(await repo.getSchedule('D16Bk1C_Jj-qSjrlemGjXQ')).toMatchObject({ enabled: false, description: '', next_run_at: null, allowed_tools: null });

    const exec = await repo.getExecution('MgSQC1PtFpTkF70fcatXRQ');
    expect(exec).toMatchObject({ status: 'success', cost: 0.0421, claude_session_id: '00000000-0000-0000-0000-000000001234', duration_ms: 42255 });
    expect(exec!.tool_calls).toBe(
      '[{"id": "toolu_01", "name": "WebSearch", "input": {"query": "trinity agents 2026"}, "output_preview": "Found 10 results", "duration_ms": 812}, {"id": "toolu_02", "name": "Read", "input": {"file_path": "/home/developer/CLAUDE.md"}, "output_preview": null, "is_error": false}]',
    );
    expect((await repo.getExecution('3T1bZE9-66pfD80I1uUPfw'))?.response).toBe('مرحبا بالعالم — שלום ✓');
    const running = await repo.getRunningExecutions();
    expect(running.map((r) => r.id).sort()).toEqual(['3eJvnc6VMknVxY8huIKOSQ', 'uHBIRCnmRhlM4Nv2x07bqQ']);
    expect((await repo.getAgentExecutionStats('research-bot', 48)).task_count).toBe(4); // 03-20 02:50, 03-21 03:05, 05:06, 05:38
    expect((await repo.getGitConfig('research-bot'))?.sync_paths).toBe('["memory/", "outputs/", "CLAUDE.md"]');
    expect(await repo.getGitConfig('cornelius')).toMatchObject({ source_mode: true, sync_enabled: false, last_sync_at: null });
    expect((await repo.getAllAgentsScheduleCounts())['research-bot']).toEqual({ total: 2, enabled: 1 });

    // New rows: the owner of research-bot in the fixture is user 2.
    const owner = (await ds.query(`SELECT u.username FROM agent_ownership o JOIN users u ON u.id = o.owner_id WHERE o.agent_name = 'research-bot'`)) as { username: string }[];
    const created = await repo.createSchedule('research-bot', owner[0].username, { name: 'n', cron_expression: '0 9 * * *', message: 'm', timezone: 'America/New_York', allowed_tools: ['Read'] });
    expect(created).not.toBeNull();
    const exec2 = await repo.createScheduleExecution(created!.id, 'research-bot', 'm');
    await repo.updateExecutionStatus(exec2.id, 'success', { toolCalls: '[{"id": "t"}]' });
    await repo.updateScheduleRunTimes(created!.id, new Date('2026-03-21T05:00:00Z'));
    await repo.createGitConfig('ruby-writer', 'o/r', 'main', 'i');
    await ds.destroy();

    withDatabase(copy.path, (db) => {
      const schedule = db.prepare(`SELECT created_at, updated_at, next_run_at, last_run_at, allowed_tools, enabled FROM agent_schedules WHERE id = ?`).get(created!.id) as Record<string, unknown>;
      const python = db.prepare(`SELECT created_at, next_run_at FROM agent_schedules WHERE id = 'qg9weOP5be4UbjmA5lwBDw'`).get() as Record<string, string>;
      // Z6 like Python's utc_now_iso(); next_run_at in the zone's offset like croniter's isoformat().
      expect(python.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(schedule.created_at).toBe('2026-03-21T06:00:00.000000Z');
      expect(schedule.updated_at).toBe('2026-03-21T06:00:00.000000Z');
      expect(python.next_run_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
      expect(schedule.next_run_at).toBe('2026-03-21T09:00:00-04:00');
      expect(schedule.last_run_at).toBe('2026-03-21T05:00:00');
      expect(schedule.allowed_tools).toBe('["Read"]');
      expect(schedule.enabled).toBe(1);
      const execution = db.prepare(`SELECT started_at, completed_at, tool_calls FROM schedule_executions WHERE id = ?`).get(exec2.id) as Record<string, string>;
      expect(execution).toEqual({ started_at: '2026-03-21T06:00:00.000000Z', completed_at: '2026-03-21T06:00:00.000000Z', tool_calls: '[{"id": "t"}]' });
      const git = db.prepare(`SELECT created_at, sync_paths, sync_enabled, source_mode FROM agent_git_config WHERE agent_name = 'ruby-writer'`).get() as Record<string, unknown>;
      expect(git).toEqual({ created_at: '2026-03-21T06:00:00.000000Z', sync_paths: '["memory/", "outputs/", "CLAUDE.md", ".claude/"]', sync_enabled: 1, source_mode: 0 });
    });
  });
});
