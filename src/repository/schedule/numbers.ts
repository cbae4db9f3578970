/**
 * Python `round(x, ndigits)` for floats: rounds the exact binary value, and only a value that is
 * exactly halfway (e.g. 0.125) goes to the even digit. `toFixed` also rounds the exact binary value
 * but sends exact halves up, so only the exact-half case needs fixing.
 */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x)) return x;
  const rounded = Number(x.toFixed(ndigits));
  // 100 digits hold the exact expansion of every double whose halves could matter here.
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + ndigits);
  if (!/^50*$/.test(rest)) return rounded;
  const scaled = Math.abs(Number(x.toFixed(ndigits)) * 10 ** ndigits);
  const lastDigit = Math.round(scaled) % 10;
  if (lastDigit % 2 === 0) return rounded;
  // toFixed rounded the half away from zero onto an odd digit: step back towards zero.
  return Number((rounded - Math.sign(x) * 10 ** -ndigits).toFixed(ndigits));
}

/** COUNT/SUM/AVG results: PostgreSQL returns bigint and numeric as strings. */
export function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}
