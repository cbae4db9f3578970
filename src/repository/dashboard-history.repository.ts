import { pyFloat, pyRound, pyTruthy } from '../codec/python-values';
import { AgentDashboardValue } from '../entity';
import { InputValidationError } from '../errors';
import type { DashboardConfigInput, DashboardWidgetInput, WidgetPointDict, WidgetPointInput, WidgetStatsDict } from '../model/dashboard-history.model';
import { requireInteger, requireString, timeFromNow } from '../model/validate';
import { BaseRepository } from './base.repository';
import { tokenUrlsafe } from './ids';

const TRACKED_TYPES = new Set(['metric', 'progress', 'status']);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Historical values of trackable dashboard widgets (Python `DashboardHistoryOperations`). */
export class DashboardHistoryRepository extends BaseRepository {
  /**
   * Stores one row per metric/progress/status widget that has a numeric or text value, all with one
   * captured_at, in one transaction. Returns the number of rows; 0 (nothing written) without `sections`.
   */
  async captureDashboardSnapshot(agentName: string, config: DashboardConfigInput | null, dashboardMtime: string): Promise<number> {
    requireString('agentName', agentName);
    requireString('dashboardMtime', dashboardMtime, { allowEmpty: true });
    if (!config || !pyTruthy(config) || typeof config !== 'object' || Array.isArray(config) || !('sections' in config)) return 0;
    const rows = extractRows(config.sections);
    if (!rows.length) return 0;
    const capturedAt = this.encode(AgentDashboardValue, 'captured_at', this.now());
    await this.atomically(async (repo) => {
      for (const r of rows) {
        await repo.execute(
          `INSERT INTO agent_dashboard_values (id, agent_name, widget_key, widget_label, widget_type, value_numeric, value_text, dashboard_mtime, captured_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          // SQLite stores a bound NaN as NULL: store NULL on both drivers.
          [tokenUrlsafe(16), agentName, r.key, r.label, r.type, Number.isNaN(r.numeric) ? null : r.numeric, r.text, dashboardMtime, capturedAt],
        );
      }
    });
    return rows.length;
  }

  /** The oldest `limit` points of the widget captured in the last `hours` hours (exactly), oldest first. */
  async getWidgetHistory(agentName: string, widgetKey: string, hours = 24, limit = 100): Promise<WidgetPointDict[]> {
    const cutoff = this.cutoff('hours', hours, HOUR_MS);
    requireInteger('limit', limit);
    if (!cutoff) return [];
    const rows = await this.select<{ captured_at: unknown; value_numeric: unknown; value_text: unknown }>(
      ...this.withLimit(
        `SELECT captured_at, value_numeric, value_text FROM agent_dashboard_values
         WHERE agent_name = ? AND widget_key = ? AND captured_at > ? ORDER BY captured_at ASC, id ASC`,
        [agentName, widgetKey, cutoff],
        limit,
      ),
    );
    return rows.map((row) => this.toPoint(row));
  }

  /** Every widget's points of the last `hours` hours, keyed by widget_key (keys in byte order, as SQLite sorts). */
  async getAllWidgetHistory(agentName: string, hours = 24): Promise<Record<string, WidgetPointDict[]>> {
    const cutoff = this.cutoff('hours', hours, HOUR_MS);
    if (!cutoff) return {};
    const rows = await this.select<{ widget_key: string; captured_at: unknown; value_numeric: unknown; value_text: unknown }>(
      `SELECT widget_key, captured_at, value_numeric, value_text FROM agent_dashboard_values
       WHERE agent_name = ? AND captured_at > ? ORDER BY captured_at ASC, id ASC`,
      [agentName, cutoff],
    );
    const byKey = new Map<string, WidgetPointDict[]>();
    for (const row of rows) {
      const points = byKey.get(row.widget_key) ?? [];
      points.push(this.toPoint(row));
      byKey.set(row.widget_key, points);
    }
    // Sorted here, not by SQL: PostgreSQL's text collation differs from SQLite's byte order.
    const keys = [...byKey.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const result: Record<string, WidgetPointDict[]> = {};
    for (const key of keys) result[key] = byKey.get(key)!;
    return result;
  }

  /** min/max/avg and the trend between the first and second half of the numeric values (Python rounding). */
  calculateWidgetStats(values: WidgetPointInput[]): WidgetStatsDict {
    return DashboardHistoryRepository.calculateWidgetStats(values);
  }

  /** calculateWidgetStats without a database (the facade's static helper). */
  static calculateWidgetStats(values: WidgetPointInput[]): WidgetStatsDict {
    if (values !== null && values !== undefined && !Array.isArray(values)) throw new InputValidationError('values', 'expected an array of points');
    const nums = (values ?? []).map((p) => p?.v).filter((v): v is number | boolean => typeof v === 'number' || typeof v === 'boolean').map(Number);
    if (!nums.length) return { min: null, max: null, avg: null, trend: 'stable', trend_percent: 0 };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    let trend: WidgetStatsDict['trend'] = 'stable';
    let pct = 0;
    if (nums.length >= 2) {
      const mid = Math.floor(nums.length / 2);
      const first = mean(nums.slice(0, mid));
      const second = mean(nums.slice(mid));
      if (first > 0) {
        pct = ((second - first) / first) * 100;
        trend = pct > 5 ? 'up' : pct < -5 ? 'down' : 'stable';
      }
    }
    return {
      min: pyRound(Math.min(...nums), 2),
      max: pyRound(Math.max(...nums), 2),
      avg: pyRound(mean(nums), 2),
      trend,
      trend_percent: pyRound(pct, 1),
    };
  }

  /** dashboard_mtime of the agent's latest snapshot, or null. */
  async getLastCapturedMtime(agentName: string): Promise<string | null> {
    const rows = await this.select<{ dashboard_mtime: string }>(
      `SELECT dashboard_mtime FROM agent_dashboard_values WHERE agent_name = ? ORDER BY captured_at DESC, id DESC LIMIT 1`,
      [agentName],
    );
    return rows.length ? rows[0].dashboard_mtime : null;
  }

  /** Deletes rows captured more than `days` days ago (exactly); a negative value deletes nothing. */
  async cleanupOldSnapshots(days = 30): Promise<number> {
    const cutoff = this.cutoff('days', days, DAY_MS);
    if (!cutoff) return 0;
    const { affected } = await this.execute(`DELETE FROM agent_dashboard_values WHERE captured_at < ?`, [cutoff]);
    return affected;
  }

  async deleteAgentDashboardHistory(agentName: string): Promise<number> {
    const { affected } = await this.execute(`DELETE FROM agent_dashboard_values WHERE agent_name = ?`, [agentName]);
    return affected;
  }

  /**
   * now − amount·unit, encoded for captured_at (Z6 on SQLite, so text order is time order). Null for a
   * negative amount: Python's malformed `datetime('now', '--5 hours')` matched no row.
   */
  private cutoff(field: string, amount: number, unitMs: number): unknown {
    if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new InputValidationError(field, `expected a number, got ${typeof amount}`);
    if (amount < 0) return null;
    return this.encode(AgentDashboardValue, 'captured_at', timeFromNow(field, this.now(), -amount, unitMs));
  }

  private toPoint(row: { captured_at: unknown; value_numeric: unknown; value_text: unknown }): WidgetPointDict {
    const numeric = row.value_numeric === null || row.value_numeric === undefined ? null : Number(row.value_numeric);
    const text = typeof row.value_text === 'string' && row.value_text ? row.value_text : null;
    return { t: this.decode<Date>(AgentDashboardValue, 'captured_at', row.captured_at), v: numeric ?? text };
  }
}

interface WidgetRow {
  key: string;
  label: string | null;
  type: string;
  numeric: number | null;
  text: string | null;
}

/** The rows a snapshot stores, in section/widget order; indexes count skipped widgets too. */
function extractRows(sections: unknown): WidgetRow[] {
  // Python iterates `config["sections"]`: None or a non-list raises TypeError.
  if (!Array.isArray(sections)) throw new InputValidationError('config.sections', 'expected a list of sections');
  const rows: WidgetRow[] = [];
  sections.forEach((section, si) => {
    if (!section || typeof section !== 'object' || Array.isArray(section)) throw new InputValidationError(`config.sections[${si}]`, 'expected an object');
    const widgets = (section as { widgets?: unknown }).widgets ?? [];
    if (!Array.isArray(widgets)) throw new InputValidationError(`config.sections[${si}].widgets`, 'expected a list of widgets');
    widgets.forEach((widget: DashboardWidgetInput, wi) => {
      if (!widget || typeof widget !== 'object' || Array.isArray(widget)) throw new InputValidationError(`config.sections[${si}].widgets[${wi}]`, 'expected an object');
      if (typeof widget.type !== 'string' || !TRACKED_TYPES.has(widget.type)) return;
      const { numeric, text } = widgetValue(widget.value);
      if (numeric === null && text === null) return;
      const label = 'label' in widget ? widget.label : '';
      rows.push({
        key: pyTruthy(widget.id) ? String(widget.id) : `s${si}_w${wi}`,
        label: label === null || label === undefined ? null : String(label),
        type: widget.type,
        numeric,
        text,
      });
    });
  });
  return rows;
}

/** A number (or bool) is numeric; a string is text plus its number after removing , % $ (Python float rules). */
function widgetValue(value: unknown): { numeric: number | null; text: string | null } {
  if (typeof value === 'boolean') return { numeric: value ? 1 : 0, text: null };
  if (typeof value === 'number') return { numeric: value, text: null };
  if (typeof value === 'string') return { numeric: pyFloat(value.replace(/[,%$]/g, '')), text: value };
  return { numeric: null, text: null };
}

/** Re-exported for existing importers; the helpers live in codec/python-values. */
export { pyFloat, pyRound, pyTruthy };
