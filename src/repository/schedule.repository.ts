import type { SqlExecutor } from '../sql/executor';
import { AgentGitConfig as AgentGitConfigEntity, AgentSchedule, ScheduleExecution as ScheduleExecutionEntity } from '../entity';
import { InputValidationError } from '../errors';
import { pyJsonDumps } from '../codec/python-json';
import { durationMilliseconds } from '../codec/clock';
import { isStorableTimestamp, STORABLE_TIMESTAMP } from '../codec/timestamp';
import {
  DEFAULT_SYNC_PATHS,
  DISPATCHED_MARKER,
  MANUAL_SCHEDULE_ID,
  ScheduleCreate as ScheduleCreateModel,
  ScheduleUpdate as ScheduleUpdateModel,
  type AgentExecutionStatsDict,
  type AgentExecutionStatsDualRow,
  type AgentExecutionStatsRow,
  type AgentGitConfig,
  type ExecutionOrigin,
  type ExecutionStatusUpdate,
  type ExecutionSummaryRow,
  type RunningExecutionRow,
  type Schedule,
  type ScheduleCountsDict,
  type ScheduleCreate,
  type ScheduleExecution,
  type ScheduleUpdatable,
  type TaskExecutionOrigin,
} from '../model/schedule.model';
import type { UserDict } from '../model/user.model';
import { requireInteger, requireKnownKeys, requireString, validateInput } from '../model/validate';
import { BaseRepository, type RepositoryOptions } from './base.repository';
import { chunks, tokenUrlsafe } from './ids';
import { calculateNextRunAt, type NextRun } from './schedule/cron';
import { num } from './schedule/numbers';
import { rawJsonValue, rowToExecution, rowToGitConfig, rowToSchedule } from './schedule/rows';
import { EXECUTION_COLUMNS, GIT_COLUMNS, SCHEDULE_COLUMNS, SUMMARY_COLUMNS, scheduleSql } from './schedule/sql';
import { agentStats, agentStatsDualRow, agentStatsRow } from './schedule/stats';
import { isIntegrityError, requireBoolean, validateOrigin, validateStatusUpdate } from './schedule/validation';
import { AgentRepository } from './agent.repository';
import { UserRepository } from './user.repository';

const UPDATABLE_KEYS = ['name', 'cron_expression', 'message', 'enabled', 'timezone', 'description', 'timeout_seconds', 'allowed_tools', 'model'] as const;

type Row = Record<string, unknown>;
const RAW_JSON_COLUMNS = new Set(['tool_calls', 'execution_log']);

/** Python passed `agent_ops` for this one check; any object with the AgentOperations method fits. */
export interface AgentAccessChecker {
  canUserAccessAgent(username: string, agentName: string): Promise<boolean>;
}

export interface ScheduleRepositoryOptions extends RepositoryOptions {
  /** The agent repository (`agent_ops`); without it an AgentRepository on the same executor answers. */
  agentAccess?: AgentAccessChecker;
}

/**
 * Schedules, execution records and GitHub sync configuration (Python `ScheduleOperations`).
 * Deviations from the Python layer: docs/COMPATIBILITY.md → schedules.
 */
export class ScheduleRepository extends BaseRepository {
  /** Python passed `user_ops`; one instance on the same executor serves every call. */
  private readonly users = new UserRepository(this.executor, this.options);
  private readonly agentAccess: AgentAccessChecker;
  /** The schedule_executions fragments that differ per driver (started_at normalisation, raw JSON text). */
  private readonly execSql: ReturnType<typeof scheduleSql>;

  constructor(executor: SqlExecutor, options: ScheduleRepositoryOptions = {}) {
    super(executor, options);
    this.agentAccess = options.agentAccess ?? new AgentRepository(executor, options);
    this.execSql = scheduleSql(this.driver);
  }

  // ------------------------------------------------------------------------------------------
  // A. Schedules
  // ------------------------------------------------------------------------------------------

  /**
   * Creates a schedule for an agent the user may access (admin, owner or shared user); null for an
   * unknown user, no access, or a constraint violation. A bad cron or zone leaves next_run_at null.
   */
  async createSchedule(agentName: string, username: string, scheduleData: ScheduleCreate): Promise<Schedule | null> {
    requireString('agentName', agentName);
    requireString('username', username);
    const input = validateInput(ScheduleCreateModel, scheduleData, 'scheduleData');
    const user = await this.users.getUserByUsername(username);
    if (!user || !(await this.agentAccess.canUserAccessAgent(user.username, agentName))) return null;
    const id = tokenUrlsafe(16);
    const createdAt = this.encode(AgentSchedule, 'created_at', this.now());
    const next = input.enabled ? this.nextRun(input.cron_expression, input.timezone) : null;
    const allowedTools = input.allowed_tools ?? null;
    try {
      // A savepoint inside a caller's transaction: the failure this method turns into null must not abort it.
      await this.recoverably((repo) => repo.execute(
        `INSERT INTO agent_schedules (id, agent_name, name, cron_expression, message, enabled, timezone, description, owner_id,
           created_at, updated_at, last_run_at, next_run_at, timeout_seconds, allowed_tools, model)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
        [
          id,
          agentName,
          input.name,
          input.cron_expression,
          input.message,
          this.encode(AgentSchedule, 'enabled', input.enabled),
          input.timezone,
          input.description ?? null,
          user.id,
          createdAt,
          createdAt,
          this.encodeNextRun(next),
          input.timeout_seconds,
          this.encode(AgentSchedule, 'allowed_tools', allowedTools),
          input.model ?? null,
        ],
      ));
    } catch (error) {
      // Python catches sqlite3.IntegrityError and returns None.
      if (isIntegrityError(error)) return null;
      throw error;
    }
    return {
      id,
      agent_name: agentName,
      name: input.name,
      cron_expression: input.cron_expression,
      message: input.message,
      enabled: Boolean(input.enabled),
      timezone: input.timezone!,
      description: input.description ?? null,
      owner_id: user.id,
      created_at: this.decode(AgentSchedule, 'created_at', createdAt),
      updated_at: this.decode(AgentSchedule, 'updated_at', createdAt),
      last_run_at: null,
      next_run_at: next?.date ?? null,
      timeout_seconds: input.timeout_seconds!,
      allowed_tools: allowedTools,
      model: input.model ?? null,
    };
  }

  async getSchedule(scheduleId: string): Promise<Schedule | null> {
    const rows = await this.select<Row>(`SELECT ${SCHEDULE_COLUMNS} FROM agent_schedules WHERE id = ?`, [scheduleId]);
    return rows.length ? this.toSchedule(rows[0]) : null;
  }

  /** Newest first. */
  async listAgentSchedules(agentName: string): Promise<Schedule[]> {
    return this.listSchedules(`WHERE agent_name = ? ORDER BY created_at DESC, id DESC`, [agentName]);
  }

  async listAllEnabledSchedules(): Promise<Schedule[]> {
    return this.listSchedules(`WHERE enabled = ? ORDER BY ${this.byAgentAndName()}`, [this.encode(AgentSchedule, 'enabled', true)]);
  }

  /** A NULL `enabled` is in neither the enabled nor the disabled list (as in Python). */
  async listAllDisabledSchedules(): Promise<Schedule[]> {
    return this.listSchedules(`WHERE enabled = ? ORDER BY ${this.byAgentAndName()}`, [this.encode(AgentSchedule, 'enabled', false)]);
  }

  async listAllSchedules(): Promise<Schedule[]> {
    return this.listSchedules(`ORDER BY ${this.byAgentAndName()}`, []);
  }

  /**
   * Updates the allowed keys present in `updates` (snake_case; a key present with null clears the
   * column; any other key is refused) when the user is an admin or the schedule's owner. A present
   * cron_expression, timezone or enabled recomputes next_run_at. Returns the re-read schedule, the
   * unchanged one when no allowed key is present, or null (unknown user/schedule, no permission).
   */
  async updateSchedule(scheduleId: string, username: string, updates: Partial<ScheduleUpdatable>): Promise<Schedule | null> {
    requireString('scheduleId', scheduleId);
    requireString('username', username);
    requireKnownKeys('updates', updates, UPDATABLE_KEYS, 'updateSchedule');
    const keys = UPDATABLE_KEYS.filter((key) => Object.prototype.hasOwnProperty.call(updates, key) && updates[key] !== undefined);
    const picked = Object.fromEntries(keys.map((key) => [key, updates[key]]));
    validateInput(ScheduleUpdateModel, picked, 'updates');
    const schedule = await this.ownedSchedule(scheduleId, username);
    if (!schedule || !keys.length) return schedule;

    const sets: string[] = [];
    const params: unknown[] = [];
    for (const key of keys) {
      sets.push(`${key} = ?`);
      if (key === 'enabled') params.push(this.encode(AgentSchedule, 'enabled', Boolean(updates.enabled)));
      else if (key === 'allowed_tools') params.push(this.encode(AgentSchedule, 'allowed_tools', updates.allowed_tools ?? null));
      else params.push(updates[key] ?? null);
    }
    if (keys.some((key) => key === 'cron_expression' || key === 'timezone' || key === 'enabled')) {
      const cron = keys.includes('cron_expression') ? updates.cron_expression! : schedule.cron_expression;
      const timezone = (keys.includes('timezone') ? updates.timezone : schedule.timezone) || 'UTC';
      const enabled = keys.includes('enabled') ? updates.enabled : schedule.enabled;
      sets.push('next_run_at = ?');
      params.push(this.encodeNextRun(enabled ? this.nextRun(cron, timezone) : null));
    }
    sets.push('updated_at = ?');
    params.push(this.encode(AgentSchedule, 'updated_at', this.now()));
    await this.execute(`UPDATE agent_schedules SET ${sets.join(', ')} WHERE id = ?`, [...params, scheduleId]);
    return this.getSchedule(scheduleId);
  }

  /** Deletes the schedule and its executions (one transaction) when the user is an admin or the owner. */
  async deleteSchedule(scheduleId: string, username: string): Promise<boolean> {
    requireString('scheduleId', scheduleId);
    requireString('username', username);
    if (!(await this.ownedSchedule(scheduleId, username))) return false;
    return this.atomically(async (repo) => {
      await repo.execute(`DELETE FROM schedule_executions WHERE schedule_id = ?`, [scheduleId]);
      const { affected } = await repo.execute(`DELETE FROM agent_schedules WHERE id = ?`, [scheduleId]);
      return affected > 0;
    });
  }

  /** No permission check (callers check). Enabling recomputes next_run_at, disabling clears it. */
  async setScheduleEnabled(scheduleId: string, enabled: boolean): Promise<boolean> {
    requireString('scheduleId', scheduleId);
    requireBoolean('enabled', enabled);
    const schedule = await this.getSchedule(scheduleId);
    if (!schedule) return false;
    const next = enabled ? this.nextRun(schedule.cron_expression, schedule.timezone || 'UTC') : null;
    const { affected } = await this.execute(`UPDATE agent_schedules SET enabled = ?, updated_at = ?, next_run_at = ? WHERE id = ?`, [
      this.encode(AgentSchedule, 'enabled', enabled),
      this.encode(AgentSchedule, 'updated_at', this.now()),
      this.encodeNextRun(next),
      scheduleId,
    ]);
    return affected > 0;
  }

  /**
   * Bumps updated_at and sets last_run_at / next_run_at only when given (they cannot be cleared here).
   * A Date is stored in the column's legacy shape; a timestamp string (e.g. an OFFSET_ISO next run)
   * is stored verbatim on SQLite, as Python stored the caller's `isoformat()`.
   */
  async updateScheduleRunTimes(scheduleId: string, lastRunAt: Date | string | null = null, nextRunAt: Date | string | null = null): Promise<boolean> {
    requireString('scheduleId', scheduleId);
    const sets = ['updated_at = ?'];
    const params: unknown[] = [this.encode(AgentSchedule, 'updated_at', this.now())];
    if (lastRunAt) {
      sets.push('last_run_at = ?');
      params.push(this.encodeTimestampArg(AgentSchedule, 'last_run_at', 'lastRunAt', lastRunAt));
    }
    if (nextRunAt) {
      sets.push('next_run_at = ?');
      params.push(this.encodeTimestampArg(AgentSchedule, 'next_run_at', 'nextRunAt', nextRunAt));
    }
    const { affected } = await this.execute(`UPDATE agent_schedules SET ${sets.join(', ')} WHERE id = ?`, [...params, scheduleId]);
    return affected > 0;
  }

  /**
   * Deletes every schedule of the agent and their executions (one transaction); returns the number of
   * schedules found. Manual executions (`__manual__`) of the agent stay.
   */
  async deleteAgentSchedules(agentName: string): Promise<number> {
    requireString('agentName', agentName);
    return this.atomically(async (repo) => {
      const ids = (await repo.select<{ id: string }>(`SELECT id FROM agent_schedules WHERE agent_name = ?`, [agentName])).map((r) => r.id);
      for (const part of chunks(ids)) {
        await repo.execute(`DELETE FROM schedule_executions WHERE schedule_id IN (${part.map(() => '?').join(', ')})`, part);
      }
      await repo.execute(`DELETE FROM agent_schedules WHERE agent_name = ?`, [agentName]);
      return ids.length;
    });
  }

  // ------------------------------------------------------------------------------------------
  // B. Executions
  // ------------------------------------------------------------------------------------------

  /**
   * Records a running manual/API task (schedule_id `__manual__`).
   * `origin`: Python's keyword arguments source_user_id ... model_used, fan_out_id, subscription_id.
   */
  async createTaskExecution(agentName: string, message: string, triggeredBy = 'manual', origin: TaskExecutionOrigin = {}): Promise<ScheduleExecution> {
    validateOrigin(origin, 'createTaskExecution');
    return this.insertExecution(MANUAL_SCHEDULE_ID, agentName, message, triggeredBy, origin, origin.fanOutId ?? null);
  }

  /**
   * Records a running execution of a schedule (not checked for existence; no fan_out_id).
   * `origin`: Python's keyword arguments source_user_id ... model_used, subscription_id.
   */
  async createScheduleExecution(
    scheduleId: string,
    agentName: string,
    message: string,
    triggeredBy = 'schedule',
    origin: ExecutionOrigin = {},
  ): Promise<ScheduleExecution> {
    requireString('scheduleId', scheduleId);
    validateOrigin(origin, 'createScheduleExecution');
    return this.insertExecution(scheduleId, agentName, message, triggeredBy, origin, null);
  }

  /** Sets the `dispatched` marker on a running execution that has no session yet. */
  async markExecutionDispatched(executionId: string): Promise<boolean> {
    requireString('executionId', executionId);
    const { affected } = await this.execute(
      `UPDATE schedule_executions SET claude_session_id = ? WHERE id = ? AND status = 'running' AND claude_session_id IS NULL`,
      [DISPATCHED_MARKER, executionId],
    );
    return affected > 0;
  }

  /**
   * Finishes an execution: status, completed_at = now, duration since started_at, and EVERY optional
   * column; an omitted one is overwritten with NULL (also a `dispatched` marker). No status guard.
   * `update`: Python's keyword arguments response ... claude_session_id.
   */
  async updateExecutionStatus(executionId: string, status: string, update: ExecutionStatusUpdate = {}): Promise<boolean> {
    requireString('executionId', executionId);
    requireString('status', status);
    validateStatusUpdate(update);
    const rows = await this.select<Row>(`SELECT ${this.sql.epochMicroseconds('started_at')} AS started_us FROM schedule_executions WHERE id = ?`, [executionId]);
    if (!rows.length) return false;
    const completed = this.now();
    const { affected } = await this.execute(
      `UPDATE schedule_executions SET status = ?, completed_at = ?, duration_ms = ?, response = ?, error = ?, context_used = ?,
         context_max = ?, cost = ?, tool_calls = ?, execution_log = ?, claude_session_id = ? WHERE id = ?`,
      [
        status,
        this.encode(ScheduleExecutionEntity, 'completed_at', completed),
        durationMilliseconds(rows[0].started_us, completed),
        update.response ?? null,
        update.error ?? null,
        update.contextUsed ?? null,
        update.contextMax ?? null,
        update.cost ?? null,
        this.execSql.rawJsonParam(update.toolCalls ?? null),
        this.execSql.rawJsonParam(update.executionLog ?? null),
        update.claudeSessionId ?? null,
        executionId,
      ],
    );
    return affected > 0;
  }

  /** Newest first. A negative limit means no limit (SQLite's LIMIT semantics). */
  async getScheduleExecutions(scheduleId: string, limit = 50): Promise<ScheduleExecution[]> {
    return this.listExecutions(EXECUTION_COLUMNS, 'schedule_id', scheduleId, limit).then((rows) => rows.map((r) => this.toExecution(r)));
  }

  /** Schedule and manual executions of the agent, newest first. */
  async getAgentExecutions(agentName: string, limit = 50): Promise<ScheduleExecution[]> {
    return this.listExecutions(EXECUTION_COLUMNS, 'agent_name', agentName, limit).then((rows) => rows.map((r) => this.toExecution(r)));
  }

  /** Like getAgentExecutions without response, error, tool_calls, execution_log, subscription_id. */
  async getAgentExecutionsSummary(agentName: string, limit = 50): Promise<ExecutionSummaryRow[]> {
    return this.listExecutions(SUMMARY_COLUMNS, 'agent_name', agentName, limit).then((rows) => rows.map((r) => this.toExecution(r) as ExecutionSummaryRow));
  }

  async getExecution(executionId: string): Promise<ScheduleExecution | null> {
    const rows = await this.select<Row>(`SELECT ${EXECUTION_COLUMNS} FROM schedule_executions WHERE id = ?`, [executionId]);
    return rows.length ? this.toExecution(rows[0]) : null;
  }

  /** Aggregates of the agent's executions started in the last `hours` hours (exactly; see compatibility doc). */
  async getAgentExecutionStats(agentName: string, hours = 24): Promise<AgentExecutionStatsDict> {
    requireInteger('hours', hours, { min: 0 });
    const since = this.execSql.since(this.now(), hours);
    const [row] = await this.select<Row>(
      `SELECT COUNT(*) AS task_count, ${this.execSql.statusSums('')}, SUM(COALESCE(cost, 0)) AS total_cost,
         AVG(duration_ms) AS avg_duration, MAX(${this.execSql.startedAt}) AS last_execution_at
       FROM schedule_executions WHERE agent_name = ? AND ${this.execSql.startedAt} > ?`,
      [agentName, since],
    );
    return agentStats(row, (v) => this.maxStartedAt(v));
  }

  /** Per-agent aggregates of the last `hours` hours; agents without executions there are absent. */
  async getAllAgentsExecutionStats(hours = 24): Promise<AgentExecutionStatsRow[]> {
    requireInteger('hours', hours, { min: 0 });
    const rows = await this.select<Row>(
      `SELECT agent_name, COUNT(*) AS task_count, ${this.execSql.statusSums('')}, SUM(COALESCE(cost, 0)) AS total_cost,
         MAX(${this.execSql.startedAt}) AS last_execution_at
       FROM schedule_executions WHERE ${this.execSql.startedAt} > ? GROUP BY agent_name ORDER BY ${this.sql.binary('agent_name')}`,
      [this.execSql.since(this.now(), hours)],
    );
    return rows.map((row) => agentStatsRow(row, (v) => this.maxStartedAt(v)));
  }

  /** Per-agent aggregates of the last 24 hours and the last 7 days in one query. */
  async getAllAgentsExecutionStatsDual(): Promise<AgentExecutionStatsDualRow[]> {
    const now = this.now();
    const day = this.execSql.since(now, 24);
    const inDay = `${this.execSql.startedAt} > ?`;
    const rows = await this.select<Row>(
      `SELECT agent_name,
         SUM(CASE WHEN ${inDay} THEN 1 ELSE 0 END) AS task_count,
         SUM(CASE WHEN ${inDay} AND status = 'success' THEN 1 ELSE 0 END) AS success_count,
         SUM(CASE WHEN ${inDay} AND status = 'failed' THEN 1 ELSE 0 END) AS failed_count,
         SUM(CASE WHEN ${inDay} AND status = 'running' THEN 1 ELSE 0 END) AS running_count,
         SUM(CASE WHEN ${inDay} THEN COALESCE(cost, 0) ELSE 0 END) AS total_cost,
         MAX(CASE WHEN ${inDay} THEN ${this.execSql.startedAt} END) AS last_execution_at,
         COUNT(*) AS task_count_7d, ${this.execSql.statusSums('_7d')}, SUM(COALESCE(cost, 0)) AS total_cost_7d,
         MAX(${this.execSql.startedAt}) AS last_execution_at_7d
       FROM schedule_executions WHERE ${this.execSql.startedAt} > ? GROUP BY agent_name ORDER BY ${this.sql.binary('agent_name')}`,
      [day, day, day, day, day, day, this.execSql.since(now, 168)],
    );
    return rows.map((row) => agentStatsDualRow(row, (v) => this.maxStartedAt(v)));
  }

  /** `{agent: {total, enabled}}` over every schedule. */
  async getAllAgentsScheduleCounts(): Promise<ScheduleCountsDict> {
    const rows = await this.select<Row>(
      `SELECT agent_name, COUNT(*) AS total, SUM(CASE WHEN enabled = ? THEN 1 ELSE 0 END) AS enabled
       FROM agent_schedules GROUP BY agent_name`,
      [this.encode(AgentSchedule, 'enabled', true)],
    );
    const counts: ScheduleCountsDict = {};
    for (const row of rows) counts[String(row.agent_name)] = { total: num(row.total), enabled: num(row.enabled) };
    return counts;
  }

  // ------------------------------------------------------------------------------------------
  // C. Git configuration
  // ------------------------------------------------------------------------------------------

  /**
   * Creates the agent's git config (sync enabled); empty or missing syncPaths take the default list.
   * Returns null when the agent already has one. `sync_paths` is returned as Python json.dumps text.
   */
  async createGitConfig(
    agentName: string,
    githubRepo: string,
    workingBranch: string,
    instanceId: string,
    syncPaths: string[] | null = null,
    sourceBranch = 'main',
    sourceMode = false,
  ): Promise<AgentGitConfig | null> {
    requireString('agentName', agentName);
    requireString('githubRepo', githubRepo);
    requireString('workingBranch', workingBranch);
    requireString('instanceId', instanceId);
    requireString('sourceBranch', sourceBranch);
    requireBoolean('sourceMode', sourceMode);
    if (syncPaths !== null && syncPaths !== undefined && (!Array.isArray(syncPaths) || syncPaths.some((p) => typeof p !== 'string'))) {
      throw new InputValidationError('syncPaths', 'expected an array of strings or null');
    }
    const paths = syncPaths?.length ? syncPaths : DEFAULT_SYNC_PATHS;
    const id = tokenUrlsafe(16);
    const createdAt = this.encode(AgentGitConfigEntity, 'created_at', this.now());
    // ON CONFLICT instead of catching the error: a failed statement would abort a caller's PostgreSQL transaction.
    const { affected } = await this.execute(
      `INSERT INTO agent_git_config (id, agent_name, github_repo, working_branch, instance_id, source_branch, source_mode, created_at, sync_enabled, sync_paths)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        id,
        agentName,
        githubRepo,
        workingBranch,
        instanceId,
        sourceBranch,
        this.encode(AgentGitConfigEntity, 'source_mode', sourceMode),
        createdAt,
        this.encode(AgentGitConfigEntity, 'sync_enabled', true),
        this.encode(AgentGitConfigEntity, 'sync_paths', paths),
      ],
    );
    if (!affected) return null; // Python: IntegrityError on a second config for the agent -> None
    return {
      id,
      agent_name: agentName,
      github_repo: githubRepo,
      working_branch: workingBranch,
      instance_id: instanceId,
      source_branch: sourceBranch,
      source_mode: sourceMode,
      created_at: this.decode(AgentGitConfigEntity, 'created_at', createdAt),
      last_sync_at: null,
      last_commit_sha: null,
      sync_enabled: true,
      sync_paths: pyJsonDumps(paths),
    };
  }

  async getGitConfig(agentName: string): Promise<AgentGitConfig | null> {
    const rows = await this.select<Row>(`SELECT ${GIT_COLUMNS} FROM agent_git_config WHERE agent_name = ?`, [agentName]);
    return rows.length ? this.toGitConfig(rows[0]) : null;
  }

  async updateGitSync(agentName: string, commitSha: string): Promise<boolean> {
    requireString('agentName', agentName);
    requireString('commitSha', commitSha);
    const { affected } = await this.execute(`UPDATE agent_git_config SET last_sync_at = ?, last_commit_sha = ? WHERE agent_name = ?`, [
      this.encode(AgentGitConfigEntity, 'last_sync_at', this.now()),
      commitSha,
      agentName,
    ]);
    return affected > 0;
  }

  async setGitSyncEnabled(agentName: string, enabled: boolean): Promise<boolean> {
    requireString('agentName', agentName);
    requireBoolean('enabled', enabled);
    const { affected } = await this.execute(`UPDATE agent_git_config SET sync_enabled = ? WHERE agent_name = ?`, [
      this.encode(AgentGitConfigEntity, 'sync_enabled', enabled),
      agentName,
    ]);
    return affected > 0;
  }

  async deleteGitConfig(agentName: string): Promise<boolean> {
    requireString('agentName', agentName);
    const { affected } = await this.execute(`DELETE FROM agent_git_config WHERE agent_name = ?`, [agentName]);
    return affected > 0;
  }

  async listGitEnabledAgents(): Promise<AgentGitConfig[]> {
    const rows = await this.select<Row>(`SELECT ${GIT_COLUMNS} FROM agent_git_config WHERE sync_enabled = ? ORDER BY ${this.sql.binary('agent_name')}`, [
      this.encode(AgentGitConfigEntity, 'sync_enabled', true),
    ]);
    return rows.map((row) => this.toGitConfig(row));
  }

  // ------------------------------------------------------------------------------------------
  // D. Cleanup / recovery
  // ------------------------------------------------------------------------------------------

  /** Every running execution (oldest first). */
  async getRunningExecutions(): Promise<RunningExecutionRow[]> {
    const rows = await this.select<Row>(
      `SELECT id, agent_name, started_at, schedule_id FROM schedule_executions WHERE status = 'running' ORDER BY started_at, id`,
    );
    return rows.map((row) => this.decodeRow<RunningExecutionRow>(ScheduleExecutionEntity, row));
  }

  /** Fails running executions started more than `timeoutMinutes` ago; returns how many. */
  async markStaleExecutionsFailed(timeoutMinutes = 30): Promise<number> {
    requireInteger('timeoutMinutes', timeoutMinutes, { min: 0 });
    return this.failRunningOlderThan(timeoutMinutes * 60_000, '', `Marked as failed by cleanup: exceeded ${timeoutMinutes}-minute timeout`);
  }

  /**
   * Fails running executions without a Claude session (NULL or '') started more than
   * `timeoutSeconds` ago; `dispatched` rows are left alone. Returns how many.
   */
  async markNoSessionExecutionsFailed(timeoutSeconds = 60): Promise<number> {
    requireInteger('timeoutSeconds', timeoutSeconds, { min: 0 });
    return this.failRunningOlderThan(
      timeoutSeconds * 1000,
      ` AND (claude_session_id IS NULL OR claude_session_id = '')`,
      `Silent launch failure: no Claude session created within ${timeoutSeconds} seconds`,
    );
  }

  /** Fails one execution if it is still running (guarded again in the UPDATE against races). */
  async failStaleSlotExecution(executionId: string, error: string): Promise<boolean> {
    requireString('executionId', executionId);
    requireString('error', error, { allowEmpty: true });
    const rows = await this.select<Row>(`SELECT ${this.sql.epochMicroseconds('started_at')} AS started_us FROM schedule_executions WHERE id = ? AND status = 'running'`, [executionId]);
    if (!rows.length) return false;
    const now = this.now();
    const { affected } = await this.execute(
      `UPDATE schedule_executions SET status = 'failed', completed_at = ?, duration_ms = ?, error = ? WHERE id = ? AND status = 'running'`,
      [this.encode(ScheduleExecutionEntity, 'completed_at', now), durationMilliseconds(rows[0].started_us, now), error, executionId],
    );
    return affected > 0;
  }

  /** Skipped executions without completed_at become failed, completed at their start, duration 0. */
  async finalizeOrphanedSkippedExecutions(): Promise<number> {
    const { affected } = await this.execute(
      `UPDATE schedule_executions SET status = 'failed', completed_at = COALESCE(started_at, ?), duration_ms = 0,
         error = 'Finalized by cleanup: skipped execution' WHERE status = 'skipped' AND completed_at IS NULL`,
      [this.encode(ScheduleExecutionEntity, 'completed_at', this.now())],
    );
    return affected;
  }

  // ------------------------------------------------------------------------------------------
  // Helpers
  // ------------------------------------------------------------------------------------------

  /** Python `_calculate_next_run_at` at this repository's clock. */
  calculateNextRunAt(cronExpression: string, timezone = 'UTC'): NextRun | null {
    return this.nextRun(cronExpression, timezone);
  }

  private nextRun(cronExpression: string, timezone: string | null | undefined): NextRun | null {
    return calculateNextRunAt(cronExpression, timezone, this.now());
  }

  /** SQLite keeps the OFFSET_ISO text in the schedule's zone; PostgreSQL stores the instant. */
  private encodeNextRun(next: NextRun | null): unknown {
    return next ? this.encode(AgentSchedule, 'next_run_at', next.iso) : null;
  }

  private encodeTimestampArg(entity: Function, column: string, field: string, value: Date | string): unknown {
    if (!isStorableTimestamp(value)) throw new InputValidationError(field, `expected ${STORABLE_TIMESTAMP}`);
    return this.encode(entity, column, value);
  }

  /** The schedule when the user exists and is an admin or its owner, else null. */
  private async ownedSchedule(scheduleId: string, username: string): Promise<Schedule | null> {
    const user = await this.users.getUserByUsername(username);
    if (!user) return null;
    const schedule = await this.getSchedule(scheduleId);
    if (!schedule) return null;
    return user.role === 'admin' || schedule.owner_id === user.id ? schedule : null;
  }

  private async listSchedules(where: string, params: unknown[]): Promise<Schedule[]> {
    const rows = await this.select<Row>(`SELECT ${SCHEDULE_COLUMNS} FROM agent_schedules ${where}`, params);
    return rows.map((row) => this.toSchedule(row));
  }

  private async listExecutions(columns: string, filter: 'schedule_id' | 'agent_name', value: string, limit: number): Promise<Row[]> {
    requireInteger('limit', limit);
    // started_at text orders naive and Z6 rows correctly (same prefix shape); id breaks ties.
    const sql = `SELECT ${columns} FROM schedule_executions WHERE ${filter} = ? ORDER BY started_at DESC, id DESC`;
    return this.select<Row>(...this.withLimit(sql, [value], limit));
  }

  private async insertExecution(
    scheduleId: string,
    agentName: string,
    message: string,
    triggeredBy: string,
    origin: ExecutionOrigin,
    fanOutId: string | null,
  ): Promise<ScheduleExecution> {
    requireString('agentName', agentName);
    requireString('message', message, { allowEmpty: true });
    requireString('triggeredBy', triggeredBy);
    const id = tokenUrlsafe(16);
    const startedAt = this.encode(ScheduleExecutionEntity, 'started_at', this.now());
    const execution: ScheduleExecution = {
      id,
      schedule_id: scheduleId,
      agent_name: agentName,
      status: 'running',
      started_at: this.decode(ScheduleExecutionEntity, 'started_at', startedAt),
      completed_at: null,
      duration_ms: null,
      message,
      response: null,
      error: null,
      triggered_by: triggeredBy,
      context_used: null,
      context_max: null,
      cost: null,
      tool_calls: null,
      execution_log: null,
      source_user_id: origin.sourceUserId ?? null,
      source_user_email: origin.sourceUserEmail ?? null,
      source_agent_name: origin.sourceAgentName ?? null,
      source_mcp_key_id: origin.sourceMcpKeyId ?? null,
      source_mcp_key_name: origin.sourceMcpKeyName ?? null,
      claude_session_id: null,
      model_used: origin.modelUsed ?? null,
      fan_out_id: fanOutId,
      subscription_id: origin.subscriptionId ?? null,
    };
    await this.execute(
      `INSERT INTO schedule_executions (id, schedule_id, agent_name, status, started_at, message, triggered_by, source_user_id, source_user_email,
         source_agent_name, source_mcp_key_id, source_mcp_key_name, model_used, fan_out_id, subscription_id)
       VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        scheduleId,
        agentName,
        startedAt,
        message,
        triggeredBy,
        execution.source_user_id,
        execution.source_user_email,
        execution.source_agent_name,
        execution.source_mcp_key_id,
        execution.source_mcp_key_name,
        execution.model_used,
        fanOutId,
        execution.subscription_id,
      ],
    );
    return execution;
  }

  /**
   * Running rows (matching `extraWhere`) started before now - ageMs, failed one by one in one
   * transaction. The age check runs on decoded Dates: started_at mixes Z6 and naive text.
   */
  private async failRunningOlderThan(ageMs: number, extraWhere: string, error: string): Promise<number> {
    return this.atomically(async (repo) => {
      const now = this.now();
      const cutoff = now.getTime() - ageMs;
      const rows = await repo.select<Row>(`SELECT id, started_at, ${this.sql.epochMicroseconds('started_at')} AS started_us FROM schedule_executions WHERE status = 'running'${extraWhere}`);
      const stale = rows.filter((row) => {
        const started = this.decode<Date | null>(ScheduleExecutionEntity, 'started_at', row.started_at);
        return started !== null && started.getTime() < cutoff;
      });
      for (const row of stale) {
        await repo.execute(
          `UPDATE schedule_executions SET status = 'failed', completed_at = ?, duration_ms = ?, error = ? WHERE id = ? AND status = 'running'`,
          [this.encode(ScheduleExecutionEntity, 'completed_at', now), durationMilliseconds(row.started_us, now), error, row.id],
        );
      }
      return stale.length;
    });
  }


  private maxStartedAt(value: unknown): Date | null {
    return value === null || value === undefined ? null : this.decode<Date>(ScheduleExecutionEntity, 'started_at', value);
  }

  private byAgentAndName(): string {
    return `${this.sql.binary('agent_name')}, ${this.sql.binary('name')}, id`;
  }

  private toSchedule(row: Row): Schedule {
    return rowToSchedule(this.decodeRow<Row>(AgentSchedule, row));
  }

  private toExecution(row: Row): ScheduleExecution {
    // tool_calls / execution_log are returned as JSON text, not through the json codec.
    const e = rowToExecution(this.decodeRow<ScheduleExecution>(ScheduleExecutionEntity, row, RAW_JSON_COLUMNS));
    if ('tool_calls' in row) e.tool_calls = rawJsonValue(row.tool_calls);
    if ('execution_log' in row) e.execution_log = rawJsonValue(row.execution_log);
    return e;
  }

  private toGitConfig(row: Row): AgentGitConfig {
    const { sync_paths, ...rest } = row;
    return rowToGitConfig(this.decodeRow<AgentGitConfig>(AgentGitConfigEntity, rest), rawJsonValue(sync_paths));
  }
}
