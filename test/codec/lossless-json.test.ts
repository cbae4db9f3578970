/**
 * parseJson / stringifyJson (src/codec/python-json.ts): JSON without losing digits. No database.
 */
import fc from 'fast-check';
import { parseJson, pyJsonDumps, stringifyJson } from '../../src/codec/python-json';

/** Whether a parsed JSON value holds an integer beyond ±(2^53 − 1) (those read as bigints). */
function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasUnsafeInteger);
  return false;
}

describe('parseJson', () => {
  it('reads integers beyond ±(2^53 − 1) as bigints and every other number as a number', () => {
    expect(parseJson('[9007199254740991, 9007199254740992, -9007199254740991, -9007199254740992, 1234567890123456789]')).toEqual([
      9007199254740991,
      9007199254740992n,
      -9007199254740991,
      -9007199254740992n,
      1234567890123456789n,
    ]);
    // Floats are doubles in Python too: long fractions and exponents stay numbers.
    expect(parseJson('[0.12345678901234567890, 1.2345678901234567e+19, 1e400, 12345678901234567890.5]')).toEqual([0.12345678901234568, 12345678901234567000, Infinity, 12345678901234567000]);
  });

  it('keeps the last value of a repeated key (at the first key position), like json.loads, and never touches the prototype', () => {
    const digits = '"pad": 12345678901234567890';
    expect(Object.entries(parseJson(`{"a": 1, "b": 2, "a": 3, ${digits}}`) as object)).toEqual([
      ['a', 3],
      ['b', 2],
      ['pad', 12345678901234567890n],
    ]);
    const value = parseJson(`{"__proto__": {"polluted": true}, ${digits}}`) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'pad']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws a SyntaxError for invalid JSON, with or without long digit runs', () => {
    expect(() => parseJson('{"a": 1')).toThrow(SyntaxError);
    expect(() => parseJson('{"a": 12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseJson('NaN')).toThrow(SyntaxError);
  });

  it('gives what JSON.parse gives for any JSON value without integers beyond 2^53', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        fc.pre(!hasUnsafeInteger(JSON.parse(text)));
        expect(parseJson(text)).toEqual(JSON.parse(text));
        // The same text with 16-digit strings in it goes through the lossless parser; still the same value.
        const padded = `{"pad": "1234567890123456", "v": ${text}}`;
        expect(parseJson(padded)).toEqual(JSON.parse(padded));
      }),
      { numRuns: 300 },
    );
  });
});

describe('stringifyJson and pyJsonDumps write bigints as their digits', () => {
  it('round-trips big integers exactly', () => {
    const text = '{"id": 18446744073709551615, "list": [-1234567890123456789, 1.5, null, "x"]}';
    expect(pyJsonDumps(parseJson(text))).toBe(text);
    expect(stringifyJson(parseJson(text))).toBe('{"id":18446744073709551615,"list":[-1234567890123456789,1.5,null,"x"]}');
    expect(stringifyJson({ a: NaN, b: undefined, c: new Date('2026-01-01T00:00:00Z') })).toBe(JSON.stringify({ a: NaN, b: undefined, c: new Date('2026-01-01T00:00:00Z') }));
    expect(stringifyJson(undefined)).toBe('null');
  });

  it('writes a number beyond 2^53 as Python writes that float, so that it reads back as a number, not a bigint', () => {
    // Python: json.dumps([9007199254740992.0, 1e16, 1.5e300, -2.0**60])
    const text = '[9007199254740992.0, 1e+16, 1.5e+300, -1.152921504606847e+18]';
    expect(pyJsonDumps([2 ** 53, 1e16, 1.5e300, -(2 ** 60)])).toBe(text);
    expect(parseJson(text)).toEqual([2 ** 53, 1e16, 1.5e300, -(2 ** 60)]);
    expect(parseJson(stringifyJson([2 ** 53, 1e16]))).toEqual([2 ** 53, 1e16]);
    expect(pyJsonDumps([2 ** 53 - 1, -(2 ** 53 - 1)])).toBe('[9007199254740991, -9007199254740991]');
  });
});
