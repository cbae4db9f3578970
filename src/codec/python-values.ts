/**
 * Python value semantics the repositories reproduce: truthiness, `float(text)` and `round(x, n)`.
 * One copy for every repository (dashboard history, monitoring, operator queue, schedules).
 */

/** Python truthiness: None, False, 0, '', empty list and empty dict are false. */
export function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.keys(value).length > 0;
  return Boolean(value);
}

const PY_FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const PY_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Python `float(text)`, or null where Python raises ValueError (JS Number() accepts '', hex, ...). */
export function pyFloat(text: string): number | null {
  const s = text.trim();
  const special = PY_SPECIAL.exec(s);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!PY_FLOAT.test(s)) return null;
  return Number(s.replace(/_/g, ''));
}

/** Python `round(x, digits)` for floats: half-to-even on the exact binary value (round(0.125, 2) = 0.12). */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // |x| = mantissa * 2^exponent exactly.
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  if (exponent >= 0) return x; // an integer: nothing to round at digits >= 0
  const numerator = mantissa * 10n ** BigInt(digits);
  const denominator = 1n << BigInt(-exponent);
  let q = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && q % 2n === 1n)) q += 1n;
  const rounded = Number(`${q}e-${digits}`);
  return x < 0 ? -rounded : rounded;
}
