import type { TimestampFormat } from '../entity/columns';

/**
 * Legacy timestamp text <-> Date.
 *
 * The Python layer stored every timestamp as TEXT in one of several ISO-8601 shapes
 * (see TimestampFormat). Writing keeps each column's shape so old and new rows compare and sort
 * alike; reading accepts every shape Python's `datetime.fromisoformat` accepts and treats a
 * missing zone as UTC, as the Python readers do.
 */

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses a stored timestamp; returns null when the text is not a timestamp. Precision: milliseconds (truncated). */
export function parseTimestamp(text: string): Date | null {
  const m = ISO_PATTERN.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = Number((frac + '000').slice(0, 3));
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const date = new Date(utc);
  // Reject dates such as 2026-02-31 that Date.UTC silently rolls over.
  const local = new Date(utc + offsetMinutes * 60_000);
  if (local.getUTCDate() !== day || local.getUTCMonth() !== month - 1) return null;
  return date;
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

/** Six fractional digits from the Date's milliseconds, as Python prints microseconds. */
function micros(date: Date): string {
  return `.${pad(date.getUTCMilliseconds(), 3)}000`;
}

/** Python `isoformat()` drops the fraction entirely when microseconds are zero. */
function isoFraction(date: Date): string {
  return date.getUTCMilliseconds() === 0 ? '' : micros(date);
}

/** Formats a Date in a column's legacy text shape. */
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
