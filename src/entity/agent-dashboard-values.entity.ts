import { CURRENT_TIMESTAMP, Index, RealColumn, Table, TextColumn, TimestampColumn } from './columns';

/** `agent_dashboard_values`: Historical values of trackable dashboard widgets (sparklines/trends). */
@Table('agent_dashboard_values')
@Index('idx_dashboard_values_agent_time', ['agent_name', '-captured_at'])
@Index('idx_dashboard_values_widget', ['agent_name', 'widget_key', '-captured_at'])
export class AgentDashboardValue {
  @TextColumn({ name: 'id', primary: true })
  id!: string;

  @TextColumn({ name: 'agent_name', nullable: false })
  agentName!: string;

  @TextColumn({ name: 'widget_key', nullable: false })
  widgetKey!: string;

  @TextColumn({ name: 'widget_label' })
  widgetLabel!: string | null;

  @TextColumn({ name: 'widget_type', nullable: false })
  widgetType!: string;

  @RealColumn({ name: 'value_numeric' })
  valueNumeric!: number | null;

  @TextColumn({ name: 'value_text' })
  valueText!: string | null;

  @TextColumn({ name: 'dashboard_mtime', nullable: false })
  dashboardMtime!: string;

  @TimestampColumn({ name: 'captured_at', nullable: false, format: 'Z6' })
  capturedAt!: Date;

  @TimestampColumn({ name: 'created_at', default: CURRENT_TIMESTAMP, format: 'sqlite-default' })
  createdAt!: Date | null;
}
