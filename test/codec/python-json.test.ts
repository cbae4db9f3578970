/**
 * pyJsonDumps (src/codec/python-json.ts) must write exactly what Python's json.dumps(value) writes
 * with default arguments: the legacy JSON columns hold that text.
 * Checked against the stored JSON values of the legacy fixtures and against hand cases. No database.
 */
import { pyJsonDumps } from '../../src/codec/python-json';
import { legacyManifest, readFixtureJson } from '../support/fixtures';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface SpecTable {
  table: string;
  columns: { name: string; semantic: string }[];
}
interface Manifest {
  files: { file: string; checks: { table: string; values: Record<string, unknown> }[] }[];
}

const schema = readFixtureJson('reference', 'schema.json') as { tables: SpecTable[] };
const manifest = legacyManifest() as Manifest;

const JSON_COLUMNS = new Set(schema.tables.flatMap((t) => t.columns.filter((c) => c.semantic === 'json').map((c) => `${t.table}.${c.name}`)));

/** Every non-NULL stored value of a JSON column in the manifest checks (Python's json.dumps output). */
const STORED_JSON = manifest.files.flatMap((f) =>
  f.checks.flatMap((check) =>
    Object.entries(check.values)
      .filter(([column, value]) => JSON_COLUMNS.has(`${check.table}.${column}`) && value !== null)
      .map(([column, value]) => ({ label: `${f.file} ${check.table}.${column}`, text: value as string })),
  ),
);

/**
 * Stored values JS cannot reproduce: Python wrote a float with an integral value as `25.0`, but
 * JSON.parse turns 25.0 and 25 into the same number, which pyJsonDumps writes as an int (the common
 * case). For these, assert the only difference is that float formatting.
 */
const FLOAT_FORMATTING_ONLY: { column: string; python: string; js: string; reason: string }[] = [
  {
    column: 'agent_notifications.metadata',
    python: '"limit": 25.0',
    js: '"limit": 25',
    reason: 'budget limit 25.0 is an integral float; after JSON.parse it is indistinguishable from the int 25',
  },
];

function knownFloatDifference(label: string, text: string) {
  return FLOAT_FORMATTING_ONLY.find((k) => label.endsWith(k.column) && text.includes(k.python));
}

// ---------------------------------------------------------------------------------------------
// Stored values
// ---------------------------------------------------------------------------------------------

describe('pyJsonDumps reproduces the JSON text stored by Python (manifest checks)', () => {
  it('finds stored JSON values in every fixture file', () => {
    const files = new Set(STORED_JSON.map((v) => v.label.split(' ')[0]));
    expect(files.size).toBe(manifest.files.length);
  });

  it.each(STORED_JSON.map((v) => [v.label, v.text] as const))('%s', (label, text) => {
    const known = knownFloatDifference(label, text);
    const dumped = pyJsonDumps(JSON.parse(text));
    if (known) {
      expect(dumped).not.toBe(text);
      expect(dumped).toBe(text.split(known.python).join(known.js));
    } else {
      expect(dumped).toBe(text);
    }
  });

  it('the listed float-formatting exceptions really occur in the fixtures (the list is not stale)', () => {
    for (const known of FLOAT_FORMATTING_ONLY) {
      expect(STORED_JSON.some((v) => v.label.endsWith(known.column) && v.text.includes(known.python))).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Hand cases (expected text is what CPython's json.dumps writes)
// ---------------------------------------------------------------------------------------------

describe('pyJsonDumps hand cases', () => {
  const cases: [string, unknown, string][] = [
    // scalars
    ['null', null, 'null'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['int', 12000, '12000'],
    ['negative int', -7, '-7'],
    ['float', 0.0123, '0.0123'],
    ['float with many digits', 0.1 + 0.2, '0.30000000000000004'],
    ['empty string', '', '""'],
    // Python's float repr uses exponent notation below 1e-4, with a two-digit exponent
    ['1e-4 stays positional', 0.0001, '0.0001'],
    ['small float', 0.00005, '5e-05'],
    ['small negative float', -0.00009999, '-9.999e-05'],
    ['tiny float', 1e-7, '1e-07'],
    ['tiny float, 2-digit exponent', 1.5e-10, '1.5e-10'],
    // containers and separators
    ['empty array', [], '[]'],
    ['empty object', {}, '{}'],
    ['nested', { a: [1, [2, 3], { b: null }], c: {} }, '{"a": [1, [2, 3], {"b": null}], "c": {}}'],
    ['array of containers', [[], {}, [[]]], '[[], {}, [[]]]'],
    ['key order kept', { zeta: 1, alpha: 2, mid: { y: true, x: false } }, '{"zeta": 1, "alpha": 2, "mid": {"y": true, "x": false}}'],
    // strings: quotes, backslashes, slash (not escaped by Python)
    ['quotes and backslashes', 'say "hi" \\ bye', '"say \\"hi\\" \\\\ bye"'],
    ['slash', 'a/b', '"a/b"'],
    // control characters: short escapes where Python has them, \u00XX otherwise
    ['short escapes', '\n\r\t\b\f', '"\\n\\r\\t\\b\\f"'],
    ['other controls', '\u0000\u0001\u000b\u001f', '"\\u0000\\u0001\\u000b\\u001f"'],
    ['printable ASCII boundaries', ' ~', '" ~"'],
    ['DEL', '\u007f', '"\\u007f"'],
    // non-ASCII: BMP as \uXXXX (lowercase hex), astral as a surrogate pair
    ['latin-1', 'naïve café', '"na\\u00efve caf\\u00e9"'],
    ['CJK', '陈伟 完成', '"\\u9648\\u4f1f \\u5b8c\\u6210"'],
    ['BMP with hex letters', '\u00ff\u2014\uabcd\ufeff', '"\\u00ff\\u2014\\uabcd\\ufeff"'],
    ['emoji (astral)', '🚀', '"\\ud83d\\ude80"'],
    ['ZWJ sequence', '👩‍💻', '"\\ud83d\\udc69\\u200d\\ud83d\\udcbb"'],
    ['non-ASCII key', { 'clé': 'v' }, '{"cl\\u00e9": "v"}'],
    ['escaped key', { 'a"b': 1 }, '{"a\\"b": 1}'],
  ];

  it.each(cases)('%s', (_label, value, expected) => {
    expect(pyJsonDumps(value)).toBe(expected);
  });

  it('round-trips: the text parses back to the same value', () => {
    for (const [, value] of cases) expect(JSON.parse(pyJsonDumps(value))).toEqual(value);
  });

  it('never writes a non-ASCII character', () => {
    const dumped = pyJsonDumps({ text: 'Ünïcödé 😀 中文 \u0080\u00a0' });
    expect(/^[\x20-\x7e]*$/.test(dumped)).toBe(true);
  });

  it('leaves out undefined properties like JSON.stringify, and writes undefined array items as null', () => {
    expect(pyJsonDumps({ a: undefined, b: 1 })).toBe('{"b": 1}');
    expect(pyJsonDumps([undefined, 1])).toBe('[null, 1]');
  });
});
