/**
 * The write clock and microsecond timestamps (src/codec/clock.ts, src/codec/timestamp.ts). No database.
 */
import { durationMilliseconds, epochMicroseconds, MicrosecondDate, microsecondOfSecond, writeClock } from '../../src/codec/clock';
import { formatTimestamp, parsePreciseTimestamp, parseTimestamp, timestampRangeProblem } from '../../src/codec/timestamp';

/** Freezes Date (and only Date) at `iso`; timers keep running. */
function freezeDate(iso: string): void {
  jest.useFakeTimers({
    now: new Date(iso),
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}

afterEach(() => jest.useRealTimers());

describe('writeClock', () => {
  it('is strictly increasing at microsecond resolution while the system clock stands still', () => {
    freezeDate('2031-01-01T00:00:00.000Z');
    const stamps = Array.from({ length: 2500 }, () => writeClock());
    const micros = stamps.map(epochMicroseconds);
    for (let i = 1; i < micros.length; i++) expect(micros[i] - micros[i - 1]).toBe(1);
    // 1000 microseconds fill a millisecond; then the counter carries into the next one.
    expect(stamps[0].toISOString()).toBe('2031-01-01T00:00:00.000Z');
    expect(formatTimestamp(stamps[999], 'Z6')).toBe('2031-01-01T00:00:00.000999Z');
    expect(formatTimestamp(stamps[1000], 'Z6')).toBe('2031-01-01T00:00:00.001000Z');
    expect(formatTimestamp(stamps[2499], 'Z6')).toBe('2031-01-01T00:00:00.002499Z');
  });

  it('follows the system clock when it moves on, and never goes back when it steps back', () => {
    freezeDate('2031-01-02T00:00:00.000Z');
    const before = writeClock();
    jest.setSystemTime(new Date('2031-01-02T00:00:05.250Z'));
    const later = writeClock();
    expect(formatTimestamp(later, 'Z6')).toBe('2031-01-02T00:00:05.250000Z');
    jest.setSystemTime(new Date('2031-01-02T00:00:01.000Z'));
    const afterStepBack = writeClock();
    expect(epochMicroseconds(afterStepBack)).toBe(epochMicroseconds(later) + 1);
    expect(epochMicroseconds(before)).toBeLessThan(epochMicroseconds(later));
  });
});

describe('MicrosecondDate in the legacy text shapes', () => {
  const at = (iso: string, microsecond: number) => new MicrosecondDate(new Date(iso).getTime(), microsecond);

  it('writes six fraction digits where Python prints microseconds, and drops a zero fraction where isoformat() does', () => {
    const date = at('2026-04-01T14:59:29.123Z', 456);
    expect(formatTimestamp(date, 'naive')).toBe('2026-04-01T14:59:29.123456');
    expect(formatTimestamp(date, 'naive+Z')).toBe('2026-04-01T14:59:29.123456Z');
    expect(formatTimestamp(date, 'Z6')).toBe('2026-04-01T14:59:29.123456Z');
    expect(formatTimestamp(date, '+00:00')).toBe('2026-04-01T14:59:29.123456+00:00');
    expect(formatTimestamp(date, 'sqlite-default')).toBe('2026-04-01 14:59:29');
    const whole = at('2026-04-01T14:59:29.000Z', 0);
    expect(formatTimestamp(whole, 'naive+Z')).toBe('2026-04-01T14:59:29Z');
    expect(formatTimestamp(at('2026-04-01T14:59:29.000Z', 1), 'naive+Z')).toBe('2026-04-01T14:59:29.000001Z');
    // A plain Date has milliseconds only.
    expect(formatTimestamp(new Date('2026-04-01T14:59:29.123Z'), 'naive')).toBe('2026-04-01T14:59:29.123000');
  });

  it('parses the microseconds back (beyond six digits truncated) and measures durations from them', () => {
    const parsed = parsePreciseTimestamp('2026-04-01T14:59:29.1234569Z')!;
    expect(parsed.toISOString()).toBe('2026-04-01T14:59:29.123Z');
    expect(parsed.microsecond).toBe(456);
    expect(microsecondOfSecond(parsed)).toBe(123456);
    expect(parsePreciseTimestamp('2026-04-01T16:59:29.5+02:00')!.toISOString()).toBe('2026-04-01T14:59:29.500Z');
    expect(parseTimestamp('2026-04-01T14:59:29.123456')).toEqual(new Date('2026-04-01T14:59:29.123Z'));
    const started = parsePreciseTimestamp('2026-04-01T14:59:29.123456Z')!;
    // Python: int((completed - started).total_seconds() * 1000)
    expect(durationMilliseconds(epochMicroseconds(started), at('2026-04-01T14:59:29.124Z', 455))).toBe(0);
    expect(durationMilliseconds(epochMicroseconds(started), at('2026-04-01T14:59:29.124Z', 456))).toBe(1);
    expect(durationMilliseconds(String(epochMicroseconds(started)), at('2026-04-01T14:59:31.000Z', 0))).toBe(1876);
    expect(durationMilliseconds(null, at('2026-04-01T14:59:31.000Z', 0))).toBeNull();
  });
});

describe('the years 1–9999', () => {
  it('reads the years 1–99 as written (not as 1900–1999) and refuses year 0 and anything past 9999', () => {
    expect(parseTimestamp('0001-01-01T00:00:00')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseTimestamp('0099-06-01T12:00:00.5Z')?.toISOString()).toBe('0099-06-01T12:00:00.500Z');
    expect(parseTimestamp('0050-02-29T00:00:00')).toBeNull(); // 50 is no leap year (Date.UTC would read 1950)
    expect(parseTimestamp('0048-02-29T00:00:00')?.toISOString()).toBe('0048-02-29T00:00:00.000Z');
    expect(parseTimestamp('9999-12-31T23:59:59.999999')?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect(parseTimestamp('0000-06-01T00:00:00')).toBeNull();
    expect(parseTimestamp('10000-01-01T00:00:00')).toBeNull();
    // The instant counts, not only the written year.
    expect(parseTimestamp('0001-01-01T00:30:00+01:00')).toBeNull();
    expect(parseTimestamp('9999-12-31T23:30:00-01:00')).toBeNull();
    expect(formatTimestamp(parseTimestamp('0099-06-01T12:00:00')!, 'naive')).toBe('0099-06-01T12:00:00');
  });

  it('names the problem of a Date outside them', () => {
    expect(timestampRangeProblem(new Date('0001-01-01T00:00:00Z'))).toBeNull();
    expect(timestampRangeProblem(new Date('9999-12-31T23:59:59.999Z'))).toBeNull();
    expect(timestampRangeProblem(new Date('+010000-01-01T00:00:00Z'))).toMatch(/year 10000 is outside 1–9999/);
    expect(timestampRangeProblem(new Date('-000001-06-01T00:00:00Z'))).toMatch(/year -1 is outside 1–9999/);
    expect(timestampRangeProblem(new Date('0000-12-31T23:59:59.999Z'))).toMatch(/year 0 is outside/);
    expect(timestampRangeProblem(new Date(NaN))).toBe('invalid Date');
  });
});
