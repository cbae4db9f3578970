import type { TimestampFormat } from '../entity/columns';
import { MicrosecondDate, microsecondOfSecond } from './clock';

/**
 * Legacy timestamp text <-> Date.
 *
 * The Python layer stored every timestamp as TEXT in one of several ISO-8601 shapes
 * (see TimestampFormat). Writing keeps each column's shape so old and new rows compare and sort
 * alike; reading accepts every shape Python's `datetime.fromisoformat` accepts and treats a
 * missing zone as UTC, as the Python readers do.
 *
 * Only instants within the years 1–9999 (UTC) are timestamps: Python's `datetime` holds nothing
 * else, so text outside that range is not parsed, and `timestampRangeProblem` names the problem
 * for a Date outside it (the column codecs refuse to store such a value).
 */

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z as epoch milliseconds. */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1) - 730119 * 86_400_000;
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Why a Date cannot be stored as a timestamp (invalid, or outside the years 1–9999 UTC); null when it can. */
export function timestampRangeProblem(date: Date): string | null {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return 'invalid Date';
  if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) {
    return `year ${date.getUTCFullYear()} is outside 1–9999 (UTC), the range of Python's datetime`;
  }
  return null;
}

/**
 * A value a timestamp column can store: a Date, or an ISO-8601 string as Python's
 * `datetime.fromisoformat` reads it, of an instant within the years 1–9999 (UTC).
 */
export function isStorableTimestamp(value: unknown): value is Date | string {
  if (value instanceof Date) return timestampRangeProblem(value) === null;
  return typeof value === 'string' && parsePreciseTimestamp(value) !== null;
}

/** What isStorableTimestamp requires, for error messages. */
export const STORABLE_TIMESTAMP = 'a Date or an ISO-8601 timestamp within the years 1–9999 (UTC)';

/** Epoch milliseconds of a UTC wall-clock time; any year (Date.UTC maps the years 0–99 to 1900–1999). */
function utcMilliseconds(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(Date.UTC(2000, 0, 1, hour, minute, second, ms));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/**
 * Parses a stored timestamp to the microsecond (digits beyond the sixth are truncated); null when the
 * text is not a timestamp of the years 1–9999.
 */
export function parsePreciseTimestamp(text: string): MicrosecondDate | null {
  const m = ISO_PATTERN.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const digits = (frac + '000000').slice(0, 6);
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offset = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(offset.slice(0, 2)) * 60 + Number(offset.slice(2, 4) || '0'));
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const wall = utcMilliseconds(year, month, day, hour, minute, second, Number(digits.slice(0, 3)));
  // Reject dates such as 2026-02-31 that Date.UTC silently rolls over.
  const check = new Date(wall);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  const instant = wall - offsetMinutes * 60_000;
  if (instant < MIN_TIMESTAMP_MS || instant > MAX_TIMESTAMP_MS) return null;
  return new MicrosecondDate(instant, Number(digits.slice(3)));
}

/** Parses a stored timestamp; returns null when the text is not a timestamp. Precision: milliseconds (truncated). */
export function parseTimestamp(text: string): Date | null {
  const precise = parsePreciseTimestamp(text);
  return precise && new Date(precise.getTime());
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function wallClock(date: Date, separator: 'T' | ' '): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `${separator}${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** Six fractional digits, as Python prints microseconds (a MicrosecondDate's own, else the milliseconds and 000). */
function micros(date: Date): string {
  return `.${pad(microsecondOfSecond(date), 6)}`;
}

/** Python `isoformat()` drops the fraction entirely when microseconds are zero. */
function isoFraction(date: Date): string {
  return microsecondOfSecond(date) === 0 ? '' : micros(date);
}

/** Formats a Date in a column's legacy text shape. The caller checks the range (timestampRangeProblem). */
export function formatTimestamp(date: Date, format: TimestampFormat): string {
  switch (format) {
    case 'naive':
      return wallClock(date, 'T') + isoFraction(date);
    case 'naive+Z':
      return wallClock(date, 'T') + isoFraction(date) + 'Z';
    case 'Z6':
    case 'external':
      return wallClock(date, 'T') + micros(date) + 'Z';
    case '+00:00':
    case 'local-offset':
      return wallClock(date, 'T') + isoFraction(date) + '+00:00';
    case 'sqlite-default':
      return wallClock(date, ' ');
  }
}
