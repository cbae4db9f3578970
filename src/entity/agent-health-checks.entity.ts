import { CURRENT_TIMESTAMP, BoolColumn, Index, IntColumn, RealColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_health_checks`: Health-check samples per agent and layer (docker/network/business/aggregate). */
@Table('agent_health_checks')
@Index('idx_health_agent_time', ['agent_name', '-checked_at'])
@Index('idx_health_status', ['status'])
@Index('idx_health_type', ['check_type'])
@Index('idx_health_checked_at', ['checked_at'])
export class AgentHealthCheck {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'check_type', nullable: false })
  checkType!: string;

  @TextColumn({ name: 'status', nullable: false })
  status!: string;

  @TextColumn({ name: 'container_status' })
  containerStatus!: string | null;

  @RealColumn({ name: 'cpu_percent' })
  cpuPercent!: number | null;

  @RealColumn({ name: 'memory_percent' })
  memoryPercent!: number | null;

  @RealColumn({ name: 'memory_mb' })
  memoryMb!: number | null;

  @IntColumn({ name: 'restart_count' })
  restartCount!: number | null;

  @BoolColumn({ name: 'oom_killed' })
  oomKilled!: boolean | null;

  @BoolColumn({ name: 'reachable' })
  reachable!: boolean | null;

  @RealColumn({ name: 'latency_ms' })
  latencyMs!: number | null;

  @BoolColumn({ name: 'runtime_available' })
  runtimeAvailable!: boolean | null;

  @BoolColumn({ name: 'claude_available' })
  claudeAvailable!: boolean | null;

  @RealColumn({ name: 'context_percent' })
  contextPercent!: number | null;

  @IntColumn({ name: 'active_executions' })
  activeExecutions!: number | null;

  @RealColumn({ name: 'error_rate' })
  errorRate!: number | null;

  @TextColumn({ name: 'error_message' })
  errorMessage!: string | null;

  @TimestampColumn({ name: 'checked_at', nullable: false, format: 'Z6' })
  checkedAt!: Date;

  @TimestampColumn({ name: 'created_at', default: CURRENT_TIMESTAMP, format: 'Z6' })
  createdAt!: Date | null;
}
