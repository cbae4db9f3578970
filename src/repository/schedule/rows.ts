import { pyJsonDumps } from '../../codec/python-json';
import type { AgentGitConfig, Schedule, ScheduleExecution } from '../../model/schedule.model';

type Row = Record<string, unknown>;

/**
 * Python `_row_to_schedule` on a decoded row: bool(enabled), timeout_seconds 900 when falsy,
 * allowed_tools None unless the JSON is a list of strings.
 */
export function rowToSchedule(s: Row): Schedule {
  const tools = s.allowed_tools;
  return {
    id: String(s.id),
    agent_name: String(s.agent_name),
    name: String(s.name),
    cron_expression: String(s.cron_expression),
    message: String(s.message),
    enabled: Boolean(s.enabled),
    timezone: s.timezone as string,
    description: (s.description as string | null) ?? null,
    owner_id: Number(s.owner_id),
    created_at: s.created_at as Date,
    updated_at: s.updated_at as Date,
    last_run_at: (s.last_run_at as Date | null) ?? null,
    next_run_at: (s.next_run_at as Date | null) ?? null,
    timeout_seconds: Number(s.timeout_seconds) || 900,
    allowed_tools: Array.isArray(tools) && tools.every((t) => typeof t === 'string') ? (tools as string[]) : null,
    model: (s.model as string | null) ?? null,
  };
}

/** Python `_row_to_schedule_execution` on a decoded row: numbers as numbers on both drivers. */
export function rowToExecution(e: ScheduleExecution): ScheduleExecution {
  for (const key of ['duration_ms', 'context_used', 'context_max', 'cost', 'source_user_id'] as const) {
    if (key in e && e[key] !== null) e[key] = Number(e[key]);
  }
  return e;
}

/** Python `_row_to_git_config` on a decoded row; sync_paths stays JSON text. */
export function rowToGitConfig(g: AgentGitConfig, syncPaths: string | null): AgentGitConfig {
  g.source_mode = Boolean(g.source_mode);
  g.sync_enabled = Boolean(g.sync_enabled);
  g.sync_paths = syncPaths;
  return g;
}

/**
 * A JSON column returned as text: SQLite holds the text Python (or we) wrote; PostgreSQL jsonb
 * comes back parsed and is printed again like json.dumps (a JSON string value is the text itself).
 */
export function rawJsonValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return pyJsonDumps(value);
}
