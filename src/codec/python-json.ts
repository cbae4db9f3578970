/**
 * JSON text exactly as Python's `json.dumps(value)` writes it with default arguments:
 * ", " and ": " separators, and every character outside printable ASCII escaped as \uXXXX
 * (astral characters as surrogate pairs). Legacy JSON columns hold this shape, and some raw JSON
 * strings are returned to callers, so SQLite rows written here read the same as Python's.
 */
export function pyJsonDumps(value: unknown, options: { ensureAscii?: boolean } = {}): string {
  return dump(value, options.ensureAscii === false ? ESCAPE_UNICODE : ESCAPE_ASCII);
}

// Python's ESCAPE_ASCII: backslash, quote, and anything outside ' '..'~'; with ensure_ascii=False
// (ESCAPE) only backslash, quote and control characters.
const ESCAPE_ASCII = /[\\"]|[^\x20-\x7e]/g;
const ESCAPE_UNICODE = /[\\"\x00-\x1f]/g;

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

function dumpNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  // Python's float repr switches to exponent notation below 1e-4 (JS only below 1e-6) and writes
  // at least two exponent digits: 5e-05, 1e-07. Both print the same shortest round-trip digits.
  if (n !== 0 && Math.abs(n) < 1e-4) return n.toExponential().replace(/e-(\d)$/, 'e-0$1');
  return JSON.stringify(n);
}

function dump(value: unknown, escape: RegExp): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return dumpString(value, escape);
    case 'number':
      return dumpNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : dump(v, escape))).join(', ') + ']';
      const withJson = value as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === 'function') return dump(withJson.toJSON(), escape);
      const parts: string[] = [];
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        parts.push(dumpString(key, escape) + ': ' + dump(v, escape));
      }
      return '{' + parts.join(', ') + '}';
    }
    default:
      throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
  }
}
