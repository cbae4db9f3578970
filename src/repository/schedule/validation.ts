import { InputValidationError, NotNullConstraintError, UniqueConstraintError } from '../../errors';
import type { ExecutionOrigin, ExecutionStatusUpdate } from '../../model/schedule.model';

/** What Python's `except sqlite3.IntegrityError` caught: a UNIQUE or NOT NULL violation. */
export function isIntegrityError(error: unknown): boolean {
  return error instanceof UniqueConstraintError || error instanceof NotNullConstraintError;
}

export function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InputValidationError(field, `expected a boolean, got ${value === null ? 'null' : typeof value}`);
  return value;
}

function optional(field: string, value: unknown, type: 'string' | 'integer' | 'number'): void {
  if (value === null || value === undefined) return;
  const ok = type === 'string' ? typeof value === 'string' : type === 'integer' ? Number.isInteger(value) : typeof value === 'number' && Number.isFinite(value);
  if (!ok) throw new InputValidationError(field, `expected ${type === 'integer' ? 'an integer' : `a ${type}`} or null`);
}

export function validateOrigin(origin: ExecutionOrigin, fanOutId: string | null): void {
  if (origin === null || typeof origin !== 'object') throw new InputValidationError('origin', 'expected an object');
  optional('sourceUserId', origin.sourceUserId, 'integer');
  for (const key of ['sourceUserEmail', 'sourceAgentName', 'sourceMcpKeyId', 'sourceMcpKeyName', 'modelUsed', 'subscriptionId'] as const) {
    optional(key, origin[key], 'string');
  }
  optional('fanOutId', fanOutId, 'string');
}

export function validateStatusUpdate(update: ExecutionStatusUpdate): void {
  if (update === null || typeof update !== 'object') throw new InputValidationError('update', 'expected an object');
  for (const key of ['response', 'error', 'toolCalls', 'executionLog', 'claudeSessionId'] as const) optional(key, update[key], 'string');
  optional('contextUsed', update.contextUsed, 'integer');
  optional('contextMax', update.contextMax, 'integer');
  optional('cost', update.cost, 'number');
}
