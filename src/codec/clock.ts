/**
 * The write clock: wall-clock time at microsecond resolution, strictly increasing within the process.
 *
 * The Python layer stamps rows with `datetime.utcnow()` (microseconds), so rows written one after
 * another carry distinct, increasing timestamps and lists ordered by time come out in creation order.
 * A JavaScript Date carries milliseconds; the clock returns a MicrosecondDate: that millisecond plus
 * a microsecond within it, counted up when several calls fall in one millisecond (or when the system
 * clock steps back), so no two calls in a process return the same instant and none goes backwards.
 */

/** A Date that also carries the microsecond within its millisecond (0–999). */
export class MicrosecondDate extends Date {
  readonly microsecond: number;

  constructor(epochMilliseconds: number, microsecond = 0) {
    super(epochMilliseconds);
    if (!Number.isInteger(microsecond) || microsecond < 0 || microsecond > 999) throw new RangeError(`microsecond must be an integer 0–999, got ${microsecond}`);
    this.microsecond = microsecond;
  }
}

/** The microsecond within the second of a Date: its milliseconds × 1000 plus a MicrosecondDate's microsecond. */
export function microsecondOfSecond(date: Date): number {
  return date.getUTCMilliseconds() * 1000 + (date instanceof MicrosecondDate ? date.microsecond : 0);
}

/** Microseconds since the epoch (exact up to the year 2255, where they pass 2^53). */
export function epochMicroseconds(date: Date): number {
  return date.getTime() * 1000 + (date instanceof MicrosecondDate ? date.microsecond : 0);
}

/**
 * Python's `int((completed - started).total_seconds() * 1000)`: whole milliseconds, truncated toward
 * zero, from a start in epoch microseconds (a number, or the string PostgreSQL returns for a bigint);
 * null when the start is unknown.
 */
export function durationMilliseconds(startedEpochMicroseconds: unknown, completed: Date): number | null {
  if (startedEpochMicroseconds === null || startedEpochMicroseconds === undefined) return null;
  const started = Number(startedEpochMicroseconds);
  return Number.isFinite(started) ? Math.trunc((epochMicroseconds(completed) - started) / 1000) : null;
}

let lastMillisecond = -Infinity;
let lastMicrosecond = 0;

/** Now, strictly later than the previous call in this process (by at least one microsecond). */
export function writeClock(): MicrosecondDate {
  const millisecond = Date.now();
  if (millisecond > lastMillisecond) {
    lastMillisecond = millisecond;
    lastMicrosecond = 0;
  } else if (lastMicrosecond < 999) {
    lastMicrosecond++;
  } else {
    lastMillisecond++;
    lastMicrosecond = 0;
  }
  return new MicrosecondDate(lastMillisecond, lastMicrosecond);
}
