import { Index, Table, TextColumn, TimestampColumn, Unique } from './columns';

/** `monitoring_alert_cooldowns`: Last alert time per (agent, condition) for alert suppression. */
@Table('monitoring_alert_cooldowns')
@Unique(['agent_name', 'condition'])
@Index('idx_alert_cooldowns_agent', ['agent_name'])
export class MonitoringAlertCooldown {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'condition', nullable: false })
  condition!: string;

  @TimestampColumn({ name: 'last_alert_at', nullable: false, format: 'Z6' })
  lastAlertAt!: Date;
}
