import { getMetadataStorage, validateSync } from 'class-validator';
import { MicrosecondDate } from '../codec/clock';
import { timestampRangeProblem } from '../codec/timestamp';
import { InputValidationError } from '../errors';

/**
 * Builds an input model from a caller's plain object and validates it with the model's
 * class-validator rules. Keys that are undefined keep the model's defaults; a key that is not a
 * field of the model is refused (requireKnownKeys). The first failing field is reported as
 * InputValidationError(field, reason); nothing has been written at that point.
 */
export function validateInput<T extends object>(model: new () => T, input: unknown, label = model.name): T {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputValidationError(label, `expected an object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  }
  const { fields, integers } = modelFields(model);
  requireKnownKeys(label, input, fields, model.name);
  for (const field of integers) {
    const value = (input as Record<string, unknown>)[field];
    // class-validator's IsInt accepts 1e300; the columns cannot hold it.
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new InputValidationError(field, `expected an integer of at most 2^53 − 1 in magnitude, got ${value}`);
    }
  }
  const instance = new model();
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) (instance as Record<string, unknown>)[key] = value;
  }
  const [error] = validateSync(instance, { forbidUnknownValues: true });
  if (error) {
    const reasons = Object.values(error.constraints ?? {}).join('; ') || 'is invalid';
    throw new InputValidationError(error.property, reasons);
  }
  return instance;
}

/** Validates one scalar argument of a method (the legacy API takes many scalars, not models). */
export function requireString(field: string, value: unknown, options: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw new InputValidationError(field, `expected a string, got ${value === null ? 'null' : typeof value}`);
  if (!options.allowEmpty && value.length === 0) throw new InputValidationError(field, 'must not be empty');
  return value;
}

/**
 * An integer argument (a limit, a count, a number of minutes): a safe integer, |n| ≤ 2^53 − 1. Beyond
 * that a JavaScript number is not an exact integer, and the drivers refuse it (SQLite: datatype
 * mismatch; PostgreSQL: invalid input for bigint).
 */
export function requireInteger(field: string, value: unknown, range: { min?: number; max?: number } = {}): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InputValidationError(field, `expected an integer, got ${typeof value === 'number' ? value : typeof value}`);
  if (!Number.isSafeInteger(value)) throw new InputValidationError(field, `expected an integer of at most 2^53 − 1 in magnitude, got ${value}`);
  if (range.min !== undefined && value < range.min) throw new InputValidationError(field, `must be at least ${range.min}`);
  if (range.max !== undefined && value > range.max) throw new InputValidationError(field, `must be at most ${range.max}`);
  return value;
}

/**
 * Refuses the keys of an options object (or input model) that `owner` does not take, naming the key
 * and the accepted names. A misspelt key, or a Python keyword name where the option is camelCase
 * (`context_used` for `contextUsed`), would otherwise be dropped and its value silently not stored.
 * Only the accepted spelling is taken; for a snake_case key whose camelCase form is accepted the
 * error says so.
 */
export function requireKnownKeys(label: string, value: unknown, accepted: readonly string[], owner: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputValidationError(label, `expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  for (const key of Object.keys(value)) {
    if (accepted.includes(key)) continue;
    const camel = key.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    const hint = camel !== key && accepted.includes(camel) ? ` (the option is spelt ${camel})` : '';
    throw new InputValidationError(`${label}.${key}`, `is not an option of ${owner}${hint}; accepted: ${accepted.join(', ')}`);
  }
}

/** Every key of an options type, checked by the compiler: `optionNames<Opts>({ a: true, b: true })`. */
export function optionNames<T extends object>(keys: Record<keyof T & string, true>): readonly string[] {
  return Object.keys(keys);
}

const modelFieldCache = new WeakMap<Function, { fields: string[]; integers: string[] }>();

/** The fields of an input model (its class-validator properties and the ones with a default) and its IsInt fields. */
function modelFields(model: new () => object): { fields: string[]; integers: string[] } {
  let entry = modelFieldCache.get(model);
  if (!entry) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(model, '', true, false);
    entry = {
      fields: [...new Set([...metadata.map((m) => m.propertyName), ...Object.keys(new model())])],
      integers: [...new Set(metadata.filter((m) => m.name === 'isInt').map((m) => m.propertyName))],
    };
    modelFieldCache.set(model, entry);
  }
  return entry;
}

/**
 * `now` moved by `amount` units (negative: into the past), for cut-offs and expiry times computed
 * from an argument: refused with InputValidationError naming the argument when the result is not a
 * time of the years 1–9999 (a huge amount gave an Invalid Date or a RangeError before). The
 * microsecond of a MicrosecondDate is kept, as Python's `now ± timedelta` keeps it.
 */
export function timeFromNow(field: string, now: Date, amount: number, unitMs: number): Date {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new InputValidationError(field, `expected a finite number, got ${typeof amount === 'number' ? amount : typeof amount}`);
  const shifted = new MicrosecondDate(Math.trunc(now.getTime() + amount * unitMs), now instanceof MicrosecondDate ? now.microsecond : 0);
  if (timestampRangeProblem(shifted)) throw new InputValidationError(field, `${amount} moves the time outside the years 1–9999 (UTC)`);
  return shifted;
}
