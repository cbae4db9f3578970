import { isInteger, parse as losslessParse, type ParseOptions } from 'lossless-json';

/**
 * JSON text exactly as Python's `json.dumps(value)` writes it with default arguments:
 * ", " and ": " separators, and every character outside printable ASCII escaped as \uXXXX
 * (astral characters as surrogate pairs). Legacy JSON columns hold this shape, and some raw JSON
 * strings are returned to callers, so SQLite rows written here read the same as Python's.
 */
export function pyJsonDumps(value: unknown, options: { ensureAscii?: boolean } = {}): string {
  return dump(value, options.ensureAscii === false ? PYTHON_UNICODE : PYTHON_ASCII);
}

/**
 * Compact JSON text (JSON.stringify's: no spaces, NaN and ±Infinity as null) with numbers written
 * as pyJsonDumps writes them (bigints as their digits): for PostgreSQL json/jsonb parameters, which
 * cannot hold NaN.
 */
export function stringifyJson(value: unknown): string {
  return dump(value, COMPACT);
}

interface JsonStyle {
  escape: RegExp;
  itemSeparator: string;
  keySeparator: string;
  nonFinite: 'python' | 'null';
}

// Python's ESCAPE_ASCII: backslash, quote, and anything outside ' '..'~'; with ensure_ascii=False
// (ESCAPE) only backslash, quote and control characters.
const ESCAPE_ASCII = /[\\"]|[^\x20-\x7e]/g;
const ESCAPE_UNICODE = /[\\"\x00-\x1f]/g;

const PYTHON_ASCII: JsonStyle = { escape: ESCAPE_ASCII, itemSeparator: ', ', keySeparator: ': ', nonFinite: 'python' };
const PYTHON_UNICODE: JsonStyle = { ...PYTHON_ASCII, escape: ESCAPE_UNICODE };
const COMPACT: JsonStyle = { escape: ESCAPE_UNICODE, itemSeparator: ',', keySeparator: ':', nonFinite: 'null' };

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function dumpString(s: string, escape: RegExp): string {
  return '"' + s.replace(escape, (ch) => SHORT_ESCAPES[ch] ?? '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

function dumpNumber(n: number, style: JsonStyle): string {
  if (!Number.isFinite(n)) return style.nonFinite === 'null' ? 'null' : Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  // Python's float repr switches to exponent notation below 1e-4 (JS only below 1e-6) and writes
  // at least two exponent digits: 5e-05, 1e-07. Both print the same shortest round-trip digits.
  if (n !== 0 && Math.abs(n) < 1e-4) return n.toExponential().replace(/e-(\d)$/, 'e-0$1');
  // A number beyond ±(2^53 − 1) is a double, not an exact integer (those are bigints): written as
  // Python writes such a float (9007199254740992.0, 1e+16; JavaScript: 9007199254740992,
  // 10000000000000000), it reads back as a number, not as a bigint.
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return Math.abs(n) < 1e16 ? `${n}.0` : n.toExponential();
  return JSON.stringify(n);
}

function dump(value: unknown, style: JsonStyle): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return dumpString(value, style.escape);
    case 'number':
      return dumpNumber(value, style);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : dump(v, style))).join(style.itemSeparator) + ']';
      const withJson = value as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === 'function') return dump(withJson.toJSON(), style);
      const parts: string[] = [];
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        parts.push(dumpString(key, style.escape) + style.keySeparator + dump(v, style));
      }
      return '{' + parts.join(style.itemSeparator) + '}';
    }
    default:
      throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
  }
}

/** The longest run of digits a safe integer (|n| ≤ 2^53 − 1 = 9007199254740991) needs is 16. */
const SIXTEEN_DIGITS = /\d{16}/;

const LOSSLESS: ParseOptions = {
  parseNumber: (text) => (isInteger(text) && !Number.isSafeInteger(Number(text)) ? BigInt(text) : Number(text)),
  // json.loads (and JSON.parse) keep the last value of a repeated key; lossless-json would throw.
  onDuplicateKey: ({ newValue }) => newValue,
};

/**
 * JSON text -> value, without losing digits: Python's `json.loads` reads integers of any size, and
 * JSON.parse would round those beyond 2^53 (`1234567890123456789` -> `1234567890123456800`). An
 * integer outside ±(2^53 − 1) becomes a `bigint`, any other number a `number` (Python's floats are
 * doubles too), and pyJsonDumps / stringifyJson write a bigint back digit for digit. Throws a
 * SyntaxError for invalid JSON.
 */
export function parseJson(text: string): unknown {
  // Text without 16 consecutive digits holds no such integer: the native parser gives the same value.
  return SIXTEEN_DIGITS.test(text) ? losslessParse(text, null, LOSSLESS) : JSON.parse(text);
}
