/** Docker-layer metrics of createHealthCheck (other keys are ignored). */
export interface DockerMetricsInput {
  container_status?: string | null;
  cpu_percent?: number | null;
  memory_percent?: number | null;
  memory_mb?: number | null;
  restart_count?: number | null;
  /** Tri-state: truthy -> true, exactly false -> false, anything else (0, '', missing) -> NULL. */
  oom_killed?: unknown;
  [key: string]: unknown;
}

export interface NetworkMetricsInput {
  reachable?: unknown;
  latency_ms?: number | null;
  [key: string]: unknown;
}

export interface BusinessMetricsInput {
  runtime_available?: unknown;
  claude_available?: unknown;
  context_percent?: number | null;
  active_executions?: number | null;
  error_rate?: number | null;
  [key: string]: unknown;
}

/** One agent_health_checks row (Python dict; every column by name). */
export interface HealthCheckRecord {
  id: string;
  agent_name: string;
  check_type: string;
  status: string;
  container_status: string | null;
  cpu_percent: number | null;
  memory_percent: number | null;
  memory_mb: number | null;
  restart_count: number | null;
  oom_killed: boolean | null;
  reachable: boolean | null;
  latency_ms: number | null;
  runtime_available: boolean | null;
  claude_available: boolean | null;
  context_percent: number | null;
  active_executions: number | null;
  error_rate: number | null;
  error_message: string | null;
  checked_at: Date;
  created_at: Date | null;
}

/** Counts of the latest aggregate status per agent (keys always present, in this order). */
export interface HealthSummaryDict {
  healthy: number;
  degraded: number;
  unhealthy: number;
  critical: number;
  unknown: number;
}
