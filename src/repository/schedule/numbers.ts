/** Python `round(x, ndigits)`; one implementation for all repositories (re-exported for existing importers). */
export { pyRound } from '../../codec/python-values';

/** COUNT/SUM/AVG results: PostgreSQL returns bigint and numeric as strings. */
export function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}
