import { CronExpressionParser } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';

/** The next fire time of a schedule: the instant and its OFFSET_ISO text in the schedule's zone. */
export interface NextRun {
  date: Date;
  /** e.g. `2026-01-16T09:00:00+01:00`; `+00:00` for UTC, never `Z` (Python `isoformat()`). */
  iso: string;
}

/** croniter's aliases (cron-parser knows others, e.g. @weekdays, that croniter rejects). */
const ALIASES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * croniter's field order -> cron-parser's: 5 fields unchanged (cron-parser adds second 0); with 6
 * fields croniter reads the LAST as seconds, cron-parser the FIRST, so the seconds move to the front.
 * Anything else (empty, fewer than 5 or more than 6 fields) is rejected like croniter does.
 */
function toCronParserExpression(expression: string): string | null {
  const trimmed = expression.trim();
  const alias = ALIASES[trimmed.toLowerCase()];
  if (alias) return alias;
  const fields = trimmed.split(/\s+/);
  if (fields.length === 5) return fields.join(' ');
  if (fields.length === 6) return [fields[5], ...fields.slice(0, 5)].join(' ');
  return null;
}

/**
 * Python `_calculate_next_run_at`: the next fire time strictly after `now`, evaluated in the IANA
 * zone `timezone` (UTC when falsy), DOM/DOW combined with OR when both are restricted (croniter's
 * default, also cron-parser's). Any problem (bad expression, unknown zone) gives null, never throws.
 */
export function calculateNextRunAt(cronExpression: string, timezone: string | null | undefined, now: Date): NextRun | null {
  try {
    const zone = timezone || 'UTC';
    if (typeof cronExpression !== 'string' || !IANAZone.isValidZone(zone)) return null;
    const expression = toCronParserExpression(cronExpression);
    if (!expression) return null;
    const next = CronExpressionParser.parse(expression, { currentDate: now, tz: zone }).next().toDate();
    const local = DateTime.fromJSDate(next, { zone });
    const iso = local.toISO({ suppressMilliseconds: true, includeOffset: true });
    if (!iso) return null;
    return { date: next, iso: iso.endsWith('Z') ? `${iso.slice(0, -1)}+00:00` : iso };
  } catch {
    return null;
  }
}
