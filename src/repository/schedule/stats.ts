import type { AgentExecutionStatsDict, AgentExecutionStatsDualRow, AgentExecutionStatsRow } from '../../model/schedule.model';
import { pyRound } from '../../codec/python-values';
import { num } from './numbers';

type Row = Record<string, unknown>;
type ToDate = (value: unknown) => Date | null;

/** Python `round(part / count * 100, 1)`, 0 for an empty count. */
function rate(part: unknown, count: number): number {
  return count ? pyRound((num(part) / count) * 100, 1) : 0;
}

/** `get_agent_execution_stats` from its aggregate row. */
export function agentStats(row: Row, toDate: ToDate): AgentExecutionStatsDict {
  const taskCount = num(row.task_count);
  if (!taskCount) {
    return { task_count: 0, success_count: 0, failed_count: 0, running_count: 0, success_rate: 0, total_cost: 0, avg_duration_ms: null, last_execution_at: null };
  }
  // Python: int(avg) if avg else None, so an average of 0 is null too.
  const avg = row.avg_duration === null || row.avg_duration === undefined ? null : Math.trunc(Number(row.avg_duration));
  return {
    task_count: taskCount,
    success_count: num(row.success_count),
    failed_count: num(row.failed_count),
    running_count: num(row.running_count),
    success_rate: rate(row.success_count, taskCount),
    total_cost: pyRound(num(row.total_cost), 4),
    avg_duration_ms: avg || null,
    last_execution_at: toDate(row.last_execution_at),
  };
}

/** One `get_all_agents_execution_stats` item (the key says 24h whatever the window). */
export function agentStatsRow(row: Row, toDate: ToDate): AgentExecutionStatsRow {
  const count = num(row.task_count);
  return {
    name: String(row.agent_name),
    task_count_24h: count,
    success_count: num(row.success_count),
    failed_count: num(row.failed_count),
    running_count: num(row.running_count),
    success_rate: rate(row.success_count, count),
    total_cost: pyRound(num(row.total_cost), 4),
    last_execution_at: toDate(row.last_execution_at),
  };
}

/** One `get_all_agents_execution_stats_dual` item: the 24 h row plus the `_7d` fields. */
export function agentStatsDualRow(row: Row, toDate: ToDate): AgentExecutionStatsDualRow {
  const count7d = num(row.task_count_7d);
  return {
    ...agentStatsRow(row, toDate),
    task_count_7d: count7d,
    success_count_7d: num(row.success_count_7d),
    failed_count_7d: num(row.failed_count_7d),
    running_count_7d: num(row.running_count_7d),
    success_rate_7d: rate(row.success_count_7d, count7d),
    total_cost_7d: pyRound(num(row.total_cost_7d), 4),
    last_execution_at_7d: toDate(row.last_execution_at_7d),
  };
}
