import { AgentHealthCheck, MonitoringAlertCooldown } from '../entity';
import { InputValidationError } from '../errors';
import type { BusinessMetricsInput, DockerMetricsInput, HealthCheckRecord, HealthSummaryDict, NetworkMetricsInput } from '../model/monitoring.model';
import { requireInteger, requireString, timeFromNow } from '../model/validate';
import { pyTruthy } from '../codec/python-values';
import { BaseRepository } from './base.repository';
import { chunks, tokenUrlsafe } from './ids';

const CHECK_COLUMNS = [
  'id',
  'agent_name',
  'check_type',
  'status',
  'container_status',
  'cpu_percent',
  'memory_percent',
  'memory_mb',
  'restart_count',
  'oom_killed',
  'reachable',
  'latency_ms',
  'runtime_available',
  'claude_available',
  'context_percent',
  'active_executions',
  'error_rate',
  'error_message',
  'checked_at',
  'created_at',
] as const;
const SELECT_CHECK = CHECK_COLUMNS.join(', ');
const HOUR_MS = 3_600_000;
const SUMMARY_KEYS = ['healthy', 'degraded', 'unhealthy', 'critical', 'unknown'] as const;

type Metrics = Record<string, unknown>;

/** Agent health-check samples and alert cooldowns (Python `MonitoringOperations`). */
export class MonitoringRepository extends BaseRepository {
  /** Inserts one sample (checked_at = created_at = now, Z6) and returns its `hc_` id. Missing metrics are NULL. */
  async createHealthCheck(
    agentName: string,
    checkType: string,
    status: string,
    dockerMetrics: DockerMetricsInput | null = null,
    networkMetrics: NetworkMetricsInput | null = null,
    businessMetrics: BusinessMetricsInput | null = null,
    errorMessage: string | null = null,
  ): Promise<string> {
    requireString('agentName', agentName);
    requireString('checkType', checkType);
    requireString('status', status);
    const docker = metricsObject('dockerMetrics', dockerMetrics);
    const network = metricsObject('networkMetrics', networkMetrics);
    const business = metricsObject('businessMetrics', businessMetrics);
    if (errorMessage !== null && errorMessage !== undefined) requireString('errorMessage', errorMessage, { allowEmpty: true });
    const id = `hc_${tokenUrlsafe(12)}`;
    const now = this.now();
    const values: Record<(typeof CHECK_COLUMNS)[number], unknown> = {
      id,
      agent_name: agentName,
      check_type: checkType,
      status,
      container_status: optionalString('dockerMetrics.container_status', docker.container_status),
      cpu_percent: optionalNumber('dockerMetrics.cpu_percent', docker.cpu_percent),
      memory_percent: optionalNumber('dockerMetrics.memory_percent', docker.memory_percent),
      memory_mb: optionalNumber('dockerMetrics.memory_mb', docker.memory_mb),
      restart_count: optionalNumber('dockerMetrics.restart_count', docker.restart_count, true),
      oom_killed: this.flag('oom_killed', docker.oom_killed),
      reachable: this.flag('reachable', network.reachable),
      latency_ms: optionalNumber('networkMetrics.latency_ms', network.latency_ms),
      runtime_available: this.flag('runtime_available', business.runtime_available),
      claude_available: this.flag('claude_available', business.claude_available),
      context_percent: optionalNumber('businessMetrics.context_percent', business.context_percent),
      active_executions: optionalNumber('businessMetrics.active_executions', business.active_executions, true),
      error_rate: optionalNumber('businessMetrics.error_rate', business.error_rate),
      error_message: errorMessage ?? null,
      checked_at: this.encode(AgentHealthCheck, 'checked_at', now),
      created_at: this.encode(AgentHealthCheck, 'created_at', now),
    };
    await this.execute(
      `INSERT INTO agent_health_checks (${SELECT_CHECK}) VALUES (${CHECK_COLUMNS.map(() => '?').join(', ')})`,
      CHECK_COLUMNS.map((c) => values[c]),
    );
    return id;
  }

  async getLatestHealthCheck(agentName: string, checkType = 'aggregate'): Promise<HealthCheckRecord | null> {
    const rows = await this.select<Record<string, unknown>>(
      `SELECT ${SELECT_CHECK} FROM agent_health_checks WHERE agent_name = ? AND check_type = ? ORDER BY checked_at DESC, id DESC LIMIT 1`,
      [agentName, checkType],
    );
    return rows.length ? this.toRecord(rows[0]) : null;
  }

  /** Samples of exactly the last `hours` hours, newest first. */
  async getAgentHealthHistory(agentName: string, checkType = 'aggregate', hours = 24, limit = 100): Promise<HealthCheckRecord[]> {
    const since = this.cutoff('hours', hours, HOUR_MS);
    requireInteger('limit', limit);
    const rows = await this.select<Record<string, unknown>>(
      ...this.withLimit(
        `SELECT ${SELECT_CHECK} FROM agent_health_checks WHERE agent_name = ? AND check_type = ? AND checked_at >= ?
         ORDER BY checked_at DESC, id DESC`,
        [agentName, checkType, since],
        limit,
      ),
    );
    return rows.map((row) => this.toRecord(row));
  }

  /**
   * The latest sample of this check type per agent (all agents when `agentNames` is null or empty).
   * Agents without samples are absent; of two samples at the same latest time the greater id wins.
   */
  async getAllLatestHealthChecks(agentNames: string[] | null = null, checkType = 'aggregate'): Promise<Record<string, HealthCheckRecord>> {
    const groups: (string[] | null)[] = agentNames && agentNames.length ? chunks(agentNames) : [null];
    const result: Record<string, HealthCheckRecord> = {};
    for (const names of groups) {
      const filter = names ? `AND agent_name IN (${names.map(() => '?').join(', ')})` : '';
      const rows = await this.select<Record<string, unknown>>(
        `SELECT ${CHECK_COLUMNS.map((c) => `h1.${c}`).join(', ')} FROM agent_health_checks h1
         JOIN (SELECT agent_name, MAX(checked_at) AS max_checked FROM agent_health_checks WHERE check_type = ? ${filter} GROUP BY agent_name) h2
           ON h1.agent_name = h2.agent_name AND h1.checked_at = h2.max_checked
         WHERE h1.check_type = ? ORDER BY h1.agent_name, h1.id`,
        [checkType, ...(names ?? []), checkType],
      );
      for (const row of rows) result[String(row.agent_name)] = this.toRecord(row);
    }
    return result;
  }

  /** Counts each agent's latest aggregate status; unknown statuses count as `unknown`, agents without checks not at all. */
  async getHealthSummary(agentNames: string[] | null = null): Promise<HealthSummaryDict> {
    const summary: HealthSummaryDict = { healthy: 0, degraded: 0, unhealthy: 0, critical: 0, unknown: 0 };
    for (const record of Object.values(await this.getAllLatestHealthChecks(agentNames, 'aggregate'))) {
      const key = (SUMMARY_KEYS as readonly string[]).includes(record.status) ? (record.status as keyof HealthSummaryDict) : 'unknown';
      summary[key] += 1;
    }
    return summary;
  }

  /** Share of healthy/degraded aggregate samples (of the latest 1000 in the window) in percent, or null. */
  async calculateUptimePercent(agentName: string, hours = 24): Promise<number | null> {
    const history = await this.getAgentHealthHistory(agentName, 'aggregate', hours, 1000);
    if (!history.length) return null;
    const up = history.filter((h) => h.status === 'healthy' || h.status === 'degraded').length;
    return (up / history.length) * 100;
  }

  /** Mean latency of the network samples in the window, or null. */
  async calculateAvgLatency(agentName: string, hours = 24): Promise<number | null> {
    const history = await this.getAgentHealthHistory(agentName, 'network', hours, 1000);
    const latencies = history.map((h) => h.latency_ms).filter((v): v is number => v !== null && v !== undefined);
    if (!latencies.length) return null;
    return latencies.reduce((a, b) => a + b, 0) / latencies.length;
  }

  /** Deletes samples older than exactly `days` days; cooldowns are kept. */
  async cleanupOldRecords(days = 7): Promise<number> {
    const cutoff = this.cutoff('days', days, 24 * HOUR_MS);
    const { affected } = await this.execute(`DELETE FROM agent_health_checks WHERE checked_at < ?`, [cutoff]);
    return affected;
  }

  /** The last alert time of (agent, condition), or null. */
  async getCooldown(agentName: string, condition: string): Promise<Date | null> {
    const rows = await this.select<{ last_alert_at: unknown }>(`SELECT last_alert_at FROM monitoring_alert_cooldowns WHERE agent_name = ? AND condition = ?`, [
      agentName,
      condition,
    ]);
    return rows.length ? this.decode<Date | null>(MonitoringAlertCooldown, 'last_alert_at', rows[0].last_alert_at) : null;
  }

  /** Records an alert now; an existing (agent, condition) row keeps its id and only gets the new time. */
  async setCooldown(agentName: string, condition: string): Promise<void> {
    requireString('agentName', agentName);
    requireString('condition', condition);
    await this.execute(
      `INSERT INTO monitoring_alert_cooldowns (id, agent_name, condition, last_alert_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (agent_name, condition) DO UPDATE SET last_alert_at = excluded.last_alert_at`,
      [`cd_${tokenUrlsafe(8)}`, agentName, condition, this.encode(MonitoringAlertCooldown, 'last_alert_at', this.now())],
    );
  }

  async clearCooldown(agentName: string, condition: string): Promise<boolean> {
    const { affected } = await this.execute(`DELETE FROM monitoring_alert_cooldowns WHERE agent_name = ? AND condition = ?`, [agentName, condition]);
    return affected > 0;
  }

  /** True while now < last alert + cooldownSeconds; false without a (parseable) last alert. */
  async isInCooldown(agentName: string, condition: string, cooldownSeconds: number): Promise<boolean> {
    if (typeof cooldownSeconds !== 'number' || !Number.isFinite(cooldownSeconds)) throw new InputValidationError('cooldownSeconds', 'expected a number');
    const last = await this.getCooldown(agentName, condition);
    if (!last) return false;
    return this.now().getTime() < last.getTime() + cooldownSeconds * 1000;
  }

  /** Deletes the agent's cooldowns, or every cooldown when agentName is falsy. */
  async cleanupCooldowns(agentName: string | null = null): Promise<number> {
    const { affected } = agentName
      ? await this.execute(`DELETE FROM monitoring_alert_cooldowns WHERE agent_name = ?`, [agentName])
      : await this.execute(`DELETE FROM monitoring_alert_cooldowns`);
    return affected;
  }

  /** Tri-state flag: truthy -> true, exactly false -> false, else NULL (Python `1 if v else (0 if v is False else None)`). */
  private flag(column: string, value: unknown): unknown {
    return this.encode(AgentHealthCheck, column, pyTruthy(value) ? true : value === false ? false : null);
  }

  /** now − amount·unit encoded for checked_at (Z6: text order is time order on SQLite). */
  private cutoff(field: string, amount: number, unitMs: number): unknown {
    return this.encode(AgentHealthCheck, 'checked_at', timeFromNow(field, this.now(), -amount, unitMs));
  }

  private toRecord(row: Record<string, unknown>): HealthCheckRecord {
    return this.decodeRow<HealthCheckRecord>(AgentHealthCheck, row);
  }
}

function metricsObject(field: string, value: unknown): Metrics {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InputValidationError(field, 'expected an object or null');
  return value as Metrics;
}

function optionalNumber(field: string, value: unknown, integer = false): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0; // Python stores a bool as 1/0
  if (typeof value !== 'number' || (integer && !Number.isSafeInteger(value))) throw new InputValidationError(field, `expected ${integer ? 'an integer (at most 2^53 − 1 in magnitude)' : 'a number'}`);
  return Number.isNaN(value) ? null : value; // SQLite stores NaN as NULL: the same on PostgreSQL
}

function optionalString(field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new InputValidationError(field, 'expected a string');
  return value;
}
