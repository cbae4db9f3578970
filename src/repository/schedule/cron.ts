import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { IANAZone } from 'luxon';

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

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * croniter's field order -> cron-parser's: 5 fields unchanged (cron-parser adds second 0); with 6
 * fields croniter reads the LAST as seconds, cron-parser the FIRST, so the seconds move to the front.
 * Anything else (empty, fewer than 5 or more than 6 fields) is rejected like croniter does.
 */
function toCronParserFields(expression: string): string[] | null {
  const trimmed = expression.trim();
  const alias = ALIASES[trimmed.toLowerCase()];
  if (alias) return alias.split(' ');
  const fields = trimmed.split(/\s+/);
  if (fields.length === 5) return fields;
  if (fields.length === 6) return [fields[5], ...fields.slice(0, 5)];
  return null;
}

/**
 * A cron expression matched against wall-clock times with no zone (milliseconds, as if the wall
 * clock were UTC): croniter's first step, before the zone is applied.
 */
class WallClockCron {
  private readonly expression: CronExpression;
  /** croniter: an hour field that covers all 24 hours counts as `*`. */
  readonly everyHour: boolean;

  constructor(fields: string[]) {
    this.expression = CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
    this.everyHour = this.expression.fields.hour.values.length === 24;
  }

  /** The first matching wall time after `wall`, at the expression's resolution (minutes, or seconds with 6 fields). */
  next(wall: number): number {
    this.expression.reset(new Date(wall));
    return this.expression.next().getTime();
  }
}

/** An instant with the zone's offset at it (minutes east of UTC). */
interface ZonedTime {
  instant: number;
  offset: number;
}

/** Every instant whose wall clock in `zone` reads `wall`: none in a gap, two in a repeated hour; earliest first. */
function instantsAt(zone: IANAZone, wall: number): ZonedTime[] {
  const offsets = new Set<number>();
  // Every offset in force within a day of that wall time (a zone changes offset at most a few times a year).
  for (const hours of [-26, -13, 0, 13, 26]) offsets.add(zone.offset(wall + hours * HOUR_MS));
  const found: ZonedTime[] = [];
  for (const offset of offsets) {
    const instant = wall - offset * MINUTE_MS;
    if (zone.offset(instant) === offset) found.push({ instant, offset });
  }
  return found.sort((a, b) => a.instant - b.instant);
}

/**
 * croniter's `_add_tzinfo` (get_next, pytz zone): a wall time that exists once is that instant; in a
 * repeated hour the first occurrence if it is after `now`, else the second; a wall time in a gap
 * moves forward a minute at a time to the first one that exists (`exists` false). Throws where
 * croniter fails (no occurrence after now; a gap ending in a repeated hour).
 */
function addZone(zone: IANAZone, wall: number, now: number): { time: ZonedTime; exists: boolean } {
  const found = instantsAt(zone, wall);
  if (found.length === 1) return { time: found[0], exists: true };
  if (found.length > 1) {
    const time = found.find((t) => t.instant > now);
    if (!time) throw new Error('no occurrence of the wall time after now');
    return { time, exists: true };
  }
  for (let shifted = wall + MINUTE_MS; ; shifted += MINUTE_MS) {
    const after = instantsAt(zone, shifted);
    if (after.length > 1) throw new Error('a gap that ends in a repeated hour');
    if (after.length === 1) return { time: after[0], exists: false };
  }
}

/**
 * croniter 6.2 `_calc` for get_next with a pytz zone: the next matching wall time after now's wall
 * clock, placed in the zone; a wall time in a gap that is not after now, or with an hour field of
 * `*`, gives way to the next match that exists. When the offset of the result differs from now's
 * (a daylight-saving change in between, of whatever size), the match found from now's wall clock
 * shifted by that difference wins if it is earlier and still after now.
 */
function nextInZone(cron: WallClockCron, zone: IANAZone, now: number): ZonedTime {
  const nowOffset = zone.offset(now);
  const nowWall = now + nowOffset * MINUTE_MS;
  let wall = cron.next(nowWall);
  let { time, exists } = addZone(zone, wall, now);
  if (!exists && (time.instant <= now || cron.everyHour)) {
    while (!exists) {
      wall = cron.next(wall);
      ({ time, exists } = addZone(zone, wall, now));
    }
  }
  const shift = time.offset - nowOffset;
  if (!shift) return time;
  const alternative = addZone(zone, cron.next(nowWall + shift * MINUTE_MS), now).time;
  if (alternative.instant <= now) return time;
  return time.instant > alternative.instant ? alternative : time;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Python `isoformat()` of an aware datetime: `YYYY-MM-DDTHH:MM:SS±HH:MM` (`+00:00` for UTC). */
function offsetIso(time: ZonedTime): string {
  const wall = new Date(time.instant + time.offset * MINUTE_MS).toISOString().slice(0, 19);
  const sign = time.offset < 0 ? '-' : '+';
  const abs = Math.abs(time.offset);
  return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * Python `_calculate_next_run_at`: `croniter(expr, datetime.now(tz)).get_next(datetime)`, the next
 * fire time strictly after `now` in the IANA zone `timezone` (UTC when falsy), with croniter's
 * daylight-saving rules (nextInZone). When both day-of-month and day-of-week are restricted they
 * combine with OR: croniter computes each alone and takes the earlier. Any problem (bad expression,
 * unknown zone) gives null, never throws.
 */
export function calculateNextRunAt(cronExpression: string, timezone: string | null | undefined, now: Date): NextRun | null {
  try {
    const zoneName = timezone || 'UTC';
    if (typeof cronExpression !== 'string' || !IANAZone.isValidZone(zoneName)) return null;
    const fields = toCronParserFields(cronExpression);
    if (!fields) return null;
    const zone = IANAZone.create(zoneName);
    const [dayOfMonth, dayOfWeek] = [fields[fields.length - 3], fields[fields.length - 1]];
    const variants =
      isRestricted(dayOfMonth) && isRestricted(dayOfWeek) ? [withField(fields, fields.length - 1, '*'), withField(fields, fields.length - 3, '*')] : [fields];
    const candidates = variants.map((variant) => nextInZone(new WallClockCron(variant), zone, now.getTime()));
    const next = candidates.reduce((earliest, candidate) => (candidate.instant < earliest.instant ? candidate : earliest));
    return { date: new Date(next.instant), iso: offsetIso(next) };
  } catch {
    return null;
  }
}

function isRestricted(field: string): boolean {
  return field !== '*' && field !== '?';
}

function withField(fields: string[], index: number, value: string): string[] {
  return fields.map((field, i) => (i === index ? value : field));
}
