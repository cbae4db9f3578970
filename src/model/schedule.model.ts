import { IsArray, IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, ValidateIf } from 'class-validator';

const present = (key: string) => ValidateIf((o: Record<string, unknown>) => o[key] !== undefined);

/** `TaskExecutionStatus` values. */
export type TaskExecutionStatus = 'running' | 'success' | 'failed' | 'cancelled' | 'skipped';
export const TASK_EXECUTION_STATUSES: readonly TaskExecutionStatus[] = ['running', 'success', 'failed', 'cancelled', 'skipped'];

/** The `schedule_id` of executions that belong to no schedule (manual/API tasks). */
export const MANUAL_SCHEDULE_ID = '__manual__';

/** The `claude_session_id` marker set before the agent is called (keeps no-session cleanup away). */
export const DISPATCHED_MARKER = 'dispatched';

/** Input of ScheduleRepository.createSchedule (Python `ScheduleCreate`). Cron and zone are not validated. */
export class ScheduleCreate {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsString()
  cron_expression!: string;

  @IsString()
  message!: string;

  @IsBoolean()
  enabled?: boolean = true;

  @IsString()
  timezone?: string = 'UTC';

  @IsOptional()
  @IsString()
  description?: string | null = null;

  @IsInt()
  timeout_seconds?: number = 900;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  allowed_tools?: string[] | null = null;

  @IsOptional()
  @IsString()
  model?: string | null = null;
}

/**
 * The keys `update_schedule` honours (snake_case, as the router's `model_dump(exclude_unset=True)`
 * builds them: a key present with null is meaningful). Other keys are ignored.
 */
export interface ScheduleUpdatable {
  name?: string;
  cron_expression?: string;
  message?: string;
  enabled?: boolean | null;
  timezone?: string;
  description?: string | null;
  timeout_seconds?: number | null;
  allowed_tools?: string[] | null;
  model?: string | null;
}

/** Validation rules of ScheduleUpdatable (every key optional; null allowed where Python allows None). */
export class ScheduleUpdate {
  /** name, cron_expression and message are NOT NULL columns: null is rejected (Python raised IntegrityError). */
  @present('name') @IsString() @IsNotEmpty() name?: string;
  @present('cron_expression') @IsString() cron_expression?: string;
  @present('message') @IsString() message?: string;
  /** null counts as false, as Python's `1 if enabled else 0`. */
  @IsOptional() @IsBoolean() enabled?: boolean | null;
  /** null is rejected (Python stored NULL and then failed to read the schedule back). */
  @present('timezone') @IsString() timezone?: string;
  @IsOptional() @IsString() description?: string | null;
  @IsOptional() @IsInt() timeout_seconds?: number | null;
  @IsOptional() @IsArray() @IsString({ each: true }) allowed_tools?: string[] | null;
  @IsOptional() @IsString() model?: string | null;
}

export interface Schedule {
  id: string;
  agent_name: string;
  name: string;
  cron_expression: string;
  message: string;
  enabled: boolean;
  timezone: string;
  description: string | null;
  owner_id: number;
  created_at: Date;
  updated_at: Date;
  last_run_at: Date | null;
  /** The instant; SQLite keeps the schedule's local offset in the stored text. */
  next_run_at: Date | null;
  /** 900 when the column is 0 or NULL. */
  timeout_seconds: number;
  allowed_tools: string[] | null;
  model: string | null;
}

export interface ScheduleExecution {
  id: string;
  /** A schedule id, or `__manual__`. */
  schedule_id: string;
  agent_name: string;
  status: string;
  started_at: Date;
  completed_at: Date | null;
  duration_ms: number | null;
  message: string;
  response: string | null;
  error: string | null;
  triggered_by: string;
  context_used: number | null;
  context_max: number | null;
  cost: number | null;
  /** Raw JSON text, not parsed. */
  tool_calls: string | null;
  /** Raw JSON text, not parsed. */
  execution_log: string | null;
  source_user_id: number | null;
  source_user_email: string | null;
  source_agent_name: string | null;
  source_mcp_key_id: string | null;
  source_mcp_key_name: string | null;
  claude_session_id: string | null;
  model_used: string | null;
  fan_out_id: string | null;
  subscription_id: string | null;
}

/** Optional arguments of createTaskExecution / createScheduleExecution (Python keyword arguments). */
export interface ExecutionOrigin {
  sourceUserId?: number | null;
  sourceUserEmail?: string | null;
  sourceAgentName?: string | null;
  sourceMcpKeyId?: string | null;
  sourceMcpKeyName?: string | null;
  modelUsed?: string | null;
  subscriptionId?: string | null;
}

export interface TaskExecutionOrigin extends ExecutionOrigin {
  fanOutId?: string | null;
}

/** Optional arguments of updateExecutionStatus. An omitted one overwrites its column with NULL. */
export interface ExecutionStatusUpdate {
  response?: string | null;
  error?: string | null;
  contextUsed?: number | null;
  contextMax?: number | null;
  cost?: number | null;
  /** Raw JSON text. */
  toolCalls?: string | null;
  /** Raw JSON text. */
  executionLog?: string | null;
  claudeSessionId?: string | null;
}

/** `get_agent_executions_summary` rows: the light columns only. */
export type ExecutionSummaryRow = Omit<ScheduleExecution, 'response' | 'error' | 'tool_calls' | 'execution_log' | 'subscription_id'>;

export interface RunningExecutionRow {
  id: string;
  agent_name: string;
  started_at: Date;
  schedule_id: string;
}

export interface AgentExecutionStatsDict {
  task_count: number;
  success_count: number;
  failed_count: number;
  running_count: number;
  /** Percent, 1 decimal. */
  success_rate: number;
  /** 4 decimals. */
  total_cost: number;
  avg_duration_ms: number | null;
  last_execution_at: Date | null;
}

export interface AgentExecutionStatsRow {
  name: string;
  /** Named "24h" whatever the window is (legacy key). */
  task_count_24h: number;
  success_count: number;
  failed_count: number;
  running_count: number;
  success_rate: number;
  total_cost: number;
  last_execution_at: Date | null;
}

export interface AgentExecutionStatsDualRow extends AgentExecutionStatsRow {
  task_count_7d: number;
  success_count_7d: number;
  failed_count_7d: number;
  running_count_7d: number;
  success_rate_7d: number;
  total_cost_7d: number;
  last_execution_at_7d: Date | null;
}

export type ScheduleCountsDict = Record<string, { total: number; enabled: number }>;

export interface AgentGitConfig {
  id: string;
  agent_name: string;
  github_repo: string;
  working_branch: string;
  instance_id: string;
  source_branch: string;
  source_mode: boolean;
  created_at: Date;
  last_sync_at: Date | null;
  last_commit_sha: string | null;
  sync_enabled: boolean;
  /** Raw JSON text as Python's json.dumps writes it, e.g. `["memory/", "outputs/"]`. */
  sync_paths: string | null;
}

export const DEFAULT_SYNC_PATHS = ['memory/', 'outputs/', 'CLAUDE.md', '.claude/'];
