/** One widget of the parsed dashboard.yaml (Python dict; other keys are ignored). */
export interface DashboardWidgetInput {
  type?: string;
  /** Falls back to `s<section>_w<widget>` when falsy. */
  id?: string | number | null;
  label?: string | null;
  value?: unknown;
}

/** Input of captureDashboardSnapshot: the parsed dashboard.yaml (Python `DashboardConfigInput`). */
export interface DashboardConfigInput {
  sections?: Array<{ widgets?: DashboardWidgetInput[] | null } | null> | null;
  [key: string]: unknown;
}

/** One point of a widget's history: `t` is captured_at, `v` the numeric value, else the non-empty text, else null. */
export interface WidgetPointDict {
  t: Date;
  v: number | string | null;
}

/** Input point of calculateWidgetStats (booleans count as numbers, as in Python). */
export interface WidgetPointInput {
  t?: unknown;
  v?: number | string | boolean | null;
}

export interface WidgetStatsDict {
  min: number | null;
  max: number | null;
  avg: number | null;
  trend: 'up' | 'down' | 'stable';
  trend_percent: number;
}
