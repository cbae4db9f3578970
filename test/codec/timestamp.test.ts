/**
 * Legacy timestamp text <-> Date (src/codec/timestamp.ts), checked against the format codes of
 * test/fixtures/reference/schema.json and against the values the Python layer really stored
 * (test/fixtures/legacy/manifest.json). No database.
 */
import { formatTimestamp, parseTimestamp } from '../../src/codec/timestamp';
import type { TimestampFormat } from '../../src/entity/columns';
import { legacyManifest, readFixtureJson } from '../support/fixtures';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface SpecColumn {
  name: string;
  semantic: string;
  timestamp_formats?: string[];
}
interface SpecTable {
  table: string;
  columns: SpecColumn[];
}
interface ManifestCheck {
  table: string;
  values: Record<string, unknown>;
}
interface Manifest {
  files: { file: string; checks: ManifestCheck[] }[];
}

const schema = readFixtureJson('reference', 'schema.json') as { tables: SpecTable[] };
const manifest = legacyManifest() as Manifest;

/** `table.column` -> timestamp formats, for every column schema.json marks semantic timestamp. */
const TIMESTAMP_COLUMNS = new Map<string, string[]>(
  schema.tables.flatMap((t) =>
    t.columns.filter((c) => c.semantic === 'timestamp').map((c) => [`${t.table}.${c.name}`, c.timestamp_formats ?? []] as [string, string[]]),
  ),
);

/** Every non-NULL stored value of a timestamp column in the manifest checks. */
const STORED_TIMESTAMPS: { file: string; column: string; value: string; formats: string[] }[] = manifest.files.flatMap((f) =>
  f.checks.flatMap((check) =>
    Object.entries(check.values)
      .filter(([column, value]) => TIMESTAMP_COLUMNS.has(`${check.table}.${column}`) && value !== null)
      .map(([column, value]) => ({
        file: f.file,
        column: `${check.table}.${column}`,
        value: value as string,
        formats: TIMESTAMP_COLUMNS.get(`${check.table}.${column}`)!,
      })),
  ),
);

/** The formats whose text formatTimestamp reproduces exactly (the others keep a zone or the client's text). */
const REPRODUCIBLE: TimestampFormat[] = ['naive', 'Z6', 'naive+Z', '+00:00'];

/** Which of the column's formats a stored value is in, from its shape. */
function formatOf(value: string, columnFormats: string[]): TimestampFormat | null {
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
  const candidates = columnFormats.filter((f): f is TimestampFormat => (REPRODUCIBLE as string[]).includes(f));
  if (value[10] !== 'T') return null; // the space-separated CURRENT_TIMESTAMP shape
  if (value.endsWith('+00:00')) return candidates.includes('+00:00') ? '+00:00' : null;
  if (value.endsWith('Z')) {
    if (candidates.includes('Z6') && fraction.length === 6) return 'Z6';
    return candidates.includes('naive+Z') ? 'naive+Z' : null;
  }
  return /[+-]\d{2}:?\d{2}$/.test(value.slice(19)) ? null : candidates.includes('naive') ? 'naive' : null;
}

/**
 * What reformatting a parsed stored value must give: a Date keeps milliseconds, so the fraction is
 * truncated to 3 digits and padded back to 6; formats other than Z6 drop an all-zero fraction.
 */
function expectedReformat(value: string, format: TimestampFormat): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|\+00:00)?$/.exec(value);
  if (!match) throw new Error(`unexpected stored shape ${value}`);
  const [, wall, fraction = '', zone = ''] = match;
  const millis = (fraction + '000').slice(0, 3);
  const dropFraction = format !== 'Z6' && millis === '000';
  return wall + (dropFraction ? '' : `.${millis}000`) + zone;
}

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));

// 2026-04-01T14:59:29.123 UTC and the same second with zero milliseconds.
const WITH_MS = utc(2026, 4, 1, 14, 59, 29, 123);
const NO_MS = utc(2026, 4, 1, 14, 59, 29, 0);

// ---------------------------------------------------------------------------------------------
// formatTimestamp
// ---------------------------------------------------------------------------------------------

describe('formatTimestamp', () => {
  // Every code of schema.json's timestamp_format_codes: [format, with milliseconds, with zero milliseconds].
  const cases: [TimestampFormat, string, string][] = [
    // Python naive isoformat: 6 digits, the fraction omitted when microsecond == 0.
    ['naive', '2026-04-01T14:59:29.123000', '2026-04-01T14:59:29'],
    // naive isoformat + 'Z': same fraction rule.
    ['naive+Z', '2026-04-01T14:59:29.123000Z', '2026-04-01T14:59:29Z'],
    // strftime %f: always 6 digits.
    ['Z6', '2026-04-01T14:59:29.123000Z', '2026-04-01T14:59:29.000000Z'],
    // aware isoformat: fraction omitted when zero.
    ['+00:00', '2026-04-01T14:59:29.123000+00:00', '2026-04-01T14:59:29+00:00'],
    // A Date has no zone of its own, so a local-offset column gets the UTC offset (columns.ts contract).
    ['local-offset', '2026-04-01T14:59:29.123000+00:00', '2026-04-01T14:59:29+00:00'],
    // CURRENT_TIMESTAMP shape: space separator, no fraction, no zone.
    ['sqlite-default', '2026-04-01 14:59:29', '2026-04-01 14:59:29'],
    // External values are stored verbatim; a Date is written as Z6 (columns.ts contract).
    ['external', '2026-04-01T14:59:29.123000Z', '2026-04-01T14:59:29.000000Z'],
  ];

  it.each(cases)('%s', (format, withMs, noMs) => {
    expect(formatTimestamp(WITH_MS, format)).toBe(withMs);
    expect(formatTimestamp(NO_MS, format)).toBe(noMs);
  });

  it('covers every format code listed in schema.json', () => {
    const codes = Object.keys(
      (readFixtureJson('reference', 'schema.json') as { timestamp_format_codes: Record<string, string> })
        .timestamp_format_codes,
    );
    expect(cases.map(([f]) => f).sort()).toEqual([...codes].sort());
  });

  it('writes UTC wall-clock fields whatever the process time zone, zero-padded', () => {
    expect(formatTimestamp(utc(2026, 1, 2, 3, 4, 5, 6), 'naive')).toBe('2026-01-02T03:04:05.006000');
    expect(formatTimestamp(utc(2026, 12, 31, 23, 59, 59, 999), 'Z6')).toBe('2026-12-31T23:59:59.999000Z');
  });

  it('keeps a non-zero fraction even when only the last millisecond digit is set', () => {
    expect(formatTimestamp(utc(2026, 4, 1, 0, 0, 0, 1), 'naive')).toBe('2026-04-01T00:00:00.001000');
    expect(formatTimestamp(utc(2026, 4, 1, 0, 0, 0, 100), '+00:00')).toBe('2026-04-01T00:00:00.100000+00:00');
  });
});

// ---------------------------------------------------------------------------------------------
// parseTimestamp
// ---------------------------------------------------------------------------------------------

describe('parseTimestamp', () => {
  const valid: [string, Date][] = [
    // separators
    ['2026-04-01T14:59:29', NO_MS],
    ['2026-04-01 14:59:29', NO_MS],
    // fractions of 1..9 digits (truncated to milliseconds, never rounded up)
    ['2026-04-01T14:59:29.1', utc(2026, 4, 1, 14, 59, 29, 100)],
    ['2026-04-01T14:59:29.12', utc(2026, 4, 1, 14, 59, 29, 120)],
    ['2026-04-01T14:59:29.123', WITH_MS],
    ['2026-04-01T14:59:29.1234', WITH_MS],
    ['2026-04-01T14:59:29.12345', WITH_MS],
    ['2026-04-01T14:59:29.123456', WITH_MS],
    ['2026-04-01T14:59:29.1234567', WITH_MS],
    ['2026-04-01T14:59:29.12345678', WITH_MS],
    ['2026-04-01T14:59:29.123456789', WITH_MS],
    ['2026-04-01T14:59:29.999999', utc(2026, 4, 1, 14, 59, 29, 999)],
    ['2026-04-01 14:59:29.000000', NO_MS],
    // zones
    ['2026-04-01T14:59:29.123456Z', WITH_MS],
    ['2026-04-01T14:59:29Z', NO_MS],
    ['2026-04-01T14:59:29.123456+00:00', WITH_MS],
    ['2026-04-01T16:59:29.123+02:00', WITH_MS],
    ['2026-04-01T09:59:29-05:00', NO_MS],
    ['2026-04-01T20:29:29+0530', NO_MS],
    ['2026-04-01T10:59:29-0400', NO_MS],
    // an offset that moves the instant to the previous day
    ['2026-04-01T01:00:00+02:00', utc(2026, 3, 31, 23, 0, 0)],
    // date only, and hours:minutes without seconds
    ['2026-04-01', utc(2026, 4, 1)],
    ['2026-04-01T14:59', utc(2026, 4, 1, 14, 59)],
    // the SQLite CURRENT_TIMESTAMP shape, naive -> UTC
    ['2026-02-28 23:59:59', utc(2026, 2, 28, 23, 59, 59)],
    // leap day
    ['2024-02-29T12:00:00', utc(2024, 2, 29, 12)],
  ];

  it.each(valid)('%s', (text, expected) => {
    const parsed = parseTimestamp(text);
    expect(parsed).toBeInstanceOf(Date);
    expect(parsed!.toISOString()).toBe(expected.toISOString());
  });

  it('treats a value without a zone as UTC, not as the process local time', () => {
    const naive = parseTimestamp('2026-07-01T12:00:00')!;
    const zulu = parseTimestamp('2026-07-01T12:00:00Z')!;
    expect(naive.getTime()).toBe(zulu.getTime());
    expect(naive.getTime()).toBe(Date.UTC(2026, 6, 1, 12));
  });

  const invalid = [
    'garbage',
    '',
    'not-a-dateT12:00:00',
    '2026-02-31', // no such day
    '2025-02-29T00:00:00', // not a leap year
    '2026-04-31T10:00:00',
    '2026-13-01T00:00:00', // month 13
    '2026-00-10T00:00:00',
    '2026-04-00T00:00:00',
    '2026-04-01T25:00:00', // hour 25
    '2026-04-01T24:00:00',
    '2026-04-01T12:60:00',
    '2026-04-01T12:00:61',
    '25:00',
    '2026/04/01 12:00:00',
    '2026-04-01T12:00:00 garbage',
    '1712000000', // epoch seconds are not a stored shape
  ];

  it.each(invalid)('returns null for %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Round trip over what the Python layer stored
// ---------------------------------------------------------------------------------------------

describe('stored legacy timestamps (manifest checks)', () => {
  it('finds stored timestamp values to check', () => {
    expect(STORED_TIMESTAMPS.length).toBeGreaterThan(0);
  });

  it.each(STORED_TIMESTAMPS.map((t) => [`${t.file} ${t.column} ${t.value}`, t] as const))('%s parses to a Date', (_label, stored) => {
    const parsed = parseTimestamp(stored.value);
    expect(parsed).toBeInstanceOf(Date);
    expect(Number.isNaN(parsed!.getTime())).toBe(false);
    // The date part is the stored one (every stored value is UTC or naive-as-UTC here).
    if (formatOf(stored.value, stored.formats)) expect(parsed!.toISOString().slice(0, 10)).toBe(stored.value.slice(0, 10));
  });

  const reproducible = STORED_TIMESTAMPS.map((t) => ({ ...t, format: formatOf(t.value, t.formats) })).filter((t) => t.format !== null);

  it('has values in reproducible formats', () => {
    expect(reproducible.length).toBeGreaterThan(0);
  });

  it.each(reproducible.map((t) => [`${t.file} ${t.column} ${t.value} (${t.format})`, t] as const))(
    '%s is rewritten in the same shape',
    (_label, stored) => {
      const reformatted = formatTimestamp(parseTimestamp(stored.value)!, stored.format!);
      const fraction = /\.(\d+)/.exec(stored.value)?.[1] ?? '';
      if (fraction.replace(/0+$/, '').length <= 3) {
        // Millisecond precision loses nothing: byte-identical.
        expect(reformatted).toBe(stored.value);
      } else {
        // Microseconds beyond the millisecond are truncated, the 6-digit width is kept.
        expect(reformatted).toBe(expectedReformat(stored.value, stored.format!));
        expect(reformatted).not.toBe(stored.value);
      }
    },
  );

  it('expectedReformat truncates as described (self-check of the helper)', () => {
    expect(expectedReformat('2026-02-11T05:06:11.338147Z', 'Z6')).toBe('2026-02-11T05:06:11.338000Z');
    expect(expectedReformat('2026-02-11T05:06:11.000147', 'naive')).toBe('2026-02-11T05:06:11');
    expect(expectedReformat('2026-02-11T05:06:11.000147Z', 'Z6')).toBe('2026-02-11T05:06:11.000000Z');
    expect(expectedReformat('2026-02-11T05:06:11.5+00:00', '+00:00')).toBe('2026-02-11T05:06:11.500000+00:00');
  });

  it('round-trips hand-made values of each reproducible format with at most 3 significant digits', () => {
    const values: [string, TimestampFormat][] = [
      ['2026-04-01T14:59:29.123000', 'naive'],
      ['2026-04-01T14:59:29', 'naive'],
      ['2026-04-01T14:59:29.120000Z', 'naive+Z'],
      ['2026-04-01T14:59:29Z', 'naive+Z'],
      ['2026-04-01T14:59:29.000000Z', 'Z6'],
      ['2026-04-01T14:59:29.100000Z', 'Z6'],
      ['2026-04-01T14:59:29.001000+00:00', '+00:00'],
      ['2026-04-01T14:59:29+00:00', '+00:00'],
    ];
    for (const [value, format] of values) expect(formatTimestamp(parseTimestamp(value)!, format)).toBe(value);
  });
});
