import type { Driver } from '../../dialect';
import { timeFromNow } from '../../model/validate';

export const SCHEDULE_COLUMNS =
  'id, agent_name, name, cron_expression, message, enabled, timezone, description, owner_id, created_at, updated_at, last_run_at, next_run_at, timeout_seconds, allowed_tools, model';
export const SUMMARY_COLUMNS =
  'id, schedule_id, agent_name, status, started_at, completed_at, duration_ms, message, triggered_by, context_used, context_max, cost, source_user_id, source_user_email, source_agent_name, source_mcp_key_id, source_mcp_key_name, claude_session_id, model_used, fan_out_id';
export const EXECUTION_COLUMNS = `${SUMMARY_COLUMNS}, response, error, tool_calls, execution_log, subscription_id`;
export const GIT_COLUMNS =
  'id, agent_name, github_repo, working_branch, instance_id, source_branch, source_mode, created_at, last_sync_at, last_commit_sha, sync_enabled, sync_paths';

const HOUR_MS = 3_600_000;

/** The schedules module's own SQL fragments that differ per driver (the shared ones are BaseRepository's `sql`). */
export function scheduleSql(driver: Driver) {
  return {
    /**
     * started_at as a comparable value: on SQLite the stored text normalised to UTC milliseconds
     * (rows are Z6 or naive, and a cut-off compared as raw text is only right for one shape); on
     * PostgreSQL the timestamptz itself.
     */
    startedAt: driver === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%f', started_at)` : 'started_at',

    /** The start of a window of `hours` hours before `now`, in the shape `startedAt` compares against. */
    since(now: Date, hours: number): unknown {
      const cutoff = timeFromNow('hours', now, -hours, HOUR_MS);
      return driver === 'sqlite' ? cutoff.toISOString().slice(0, 23) : cutoff;
    },

    statusSums(suffix: string): string {
      return ['success', 'failed', 'running'].map((s) => `SUM(CASE WHEN status = '${s}' THEN 1 ELSE 0 END) AS ${s}_count${suffix}`).join(', ');
    },

    /**
     * tool_calls / execution_log arrive as JSON text and are returned as text. SQLite stores the text
     * verbatim (as Python did); jsonb needs valid JSON, so other text is kept as a JSON string value.
     */
    rawJsonParam(text: string | null): string | null {
      if (text === null || driver === 'sqlite') return text;
      try {
        JSON.parse(text);
        return text;
      } catch {
        return JSON.stringify(text);
      }
    },
  };
}
