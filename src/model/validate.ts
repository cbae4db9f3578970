import { validateSync } from 'class-validator';
import { InputValidationError } from '../errors';

/**
 * Builds an input model from a caller's plain object and validates it with the model's
 * class-validator rules. Keys that are undefined keep the model's defaults. The first failing field
 * is reported as InputValidationError(field, reason); nothing has been written at that point.
 */
export function validateInput<T extends object>(model: new () => T, input: unknown, label = model.name): T {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputValidationError(label, `expected an object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
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

export function requireInteger(field: string, value: unknown, range: { min?: number; max?: number } = {}): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InputValidationError(field, `expected an integer, got ${typeof value === 'number' ? value : typeof value}`);
  if (range.min !== undefined && value < range.min) throw new InputValidationError(field, `must be at least ${range.min}`);
  if (range.max !== undefined && value > range.max) throw new InputValidationError(field, `must be at most ${range.max}`);
  return value;
}
