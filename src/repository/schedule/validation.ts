import { InputValidationError, NotNullConstraintError, UniqueConstraintError } from '../../errors';
import type { ExecutionOrigin, ExecutionStatusUpdate, TaskExecutionOrigin } from '../../model/schedule.model';
import { optionNames, requireKnownKeys } from '../../model/validate';

const ORIGIN_FIELDS = {
  sourceUserId: true,
  sourceUserEmail: true,
  sourceAgentName: true,
  sourceMcpKeyId: true,
  sourceMcpKeyName: true,
  modelUsed: true,
  subscriptionId: true,
} as const;
const ORIGIN_OPTIONS = optionNames<ExecutionOrigin>(ORIGIN_FIELDS);
const TASK_ORIGIN_OPTIONS = optionNames<TaskExecutionOrigin>({ ...ORIGIN_FIELDS, fanOutId: true });
const STATUS_UPDATE_OPTIONS = optionNames<ExecutionStatusUpdate>({
  response: true,
  error: true,
  contextUsed: true,
  contextMax: true,
  cost: true,
  toolCalls: true,
  executionLog: true,
  claudeSessionId: true,
});

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
  const ok = type === 'string' ? typeof value === 'string' : type === 'integer' ? Number.isSafeInteger(value) : typeof value === 'number' && Number.isFinite(value);
  if (!ok) throw new InputValidationError(field, `expected ${type === 'integer' ? 'an integer' : `a ${type}`} or null`);
}

/** The origin options of createTaskExecution (with fanOutId) or createScheduleExecution (without). */
export function validateOrigin(origin: TaskExecutionOrigin, owner: 'createTaskExecution' | 'createScheduleExecution'): void {
  requireKnownKeys('origin', origin, owner === 'createTaskExecution' ? TASK_ORIGIN_OPTIONS : ORIGIN_OPTIONS, owner);
  optional('sourceUserId', origin.sourceUserId, 'integer');
  for (const key of ['sourceUserEmail', 'sourceAgentName', 'sourceMcpKeyId', 'sourceMcpKeyName', 'modelUsed', 'subscriptionId'] as const) {
    optional(key, origin[key], 'string');
  }
  optional('fanOutId', origin.fanOutId, 'string');
}

export function validateStatusUpdate(update: ExecutionStatusUpdate): void {
  requireKnownKeys('update', update, STATUS_UPDATE_OPTIONS, 'updateExecutionStatus');
  for (const key of ['response', 'error', 'toolCalls', 'executionLog', 'claudeSessionId'] as const) optional(key, update[key], 'string');
  optional('contextUsed', update.contextUsed, 'integer');
  optional('contextMax', update.contextMax, 'integer');
  optional('cost', update.cost, 'number');
}
