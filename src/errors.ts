/** Typed errors of trinity-db. Messages never contain passwords or secret values. */

export class TrinityDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A value that cannot be stored in (or was read from) a column of the given kind. */
export class InvalidColumnValueError extends TrinityDbError {
  constructor(
    readonly column: string,
    readonly reason: string,
  ) {
    super(`${column}: ${reason}`);
  }
}

/** Migrations could not be applied, or are pending where they must not be. */
export class MigrationError extends TrinityDbError {}

/** Input to a write method failed validation; `field` names the offending input field. */
export class InputValidationError extends TrinityDbError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * A write violated a UNIQUE or PRIMARY KEY constraint. The message keeps SQLite's wording
 * ("UNIQUE constraint failed: <table>.<column>") on both drivers, because legacy callers match on it.
 * The offending value is never included (it may be a secret such as a key hash).
 */
export class UniqueConstraintError extends TrinityDbError {
  constructor(
    readonly table: string | undefined,
    readonly columns: string[],
  ) {
    super(`UNIQUE constraint failed: ${columns.map((c) => (table ? `${table}.${c}` : c)).join(', ')}`);
  }
}

/** A write violated a NOT NULL constraint (same wording on both drivers). */
export class NotNullConstraintError extends TrinityDbError {
  constructor(
    readonly table: string | undefined,
    readonly column: string,
  ) {
    super(`NOT NULL constraint failed: ${table ? `${table}.` : ''}${column}`);
  }
}

/**
 * The database cannot be used right now: PostgreSQL unreachable or restarting, a SQLite file that is
 * read-only or locked by another process. `target` is the masked URL or the file path.
 */
export class DatabaseUnavailableError extends TrinityDbError {
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`database unavailable (${target}): ${reason}`);
  }
}

/** A record a method needs does not exist (the legacy messages are kept, e.g. "User not found: bob"). */
export class NotFoundError extends TrinityDbError {}

/** A value the database refuses to store or index (e.g. a text too long for a PostgreSQL index entry). */
export class ValueRejectedError extends TrinityDbError {}

/**
 * No pooled connection became free within the pool's acquisition timeout. `poolMax` is the pool's
 * size (DB_POOL_SIZE + DB_POOL_MAX_OVERFLOW), `waitedMs` the timeout (DB_POOL_TIMEOUT).
 */
export class PoolExhaustedError extends DatabaseUnavailableError {
  constructor(
    target: string,
    readonly poolMax: number,
    readonly waitedMs: number,
  ) {
    super(
      target,
      `no pooled connection became free within ${waitedMs / 1000} s (all ${poolMax} connections of the pool are in use; ` +
        'raise DB_POOL_SIZE / DB_POOL_MAX_OVERFLOW or DB_POOL_TIMEOUT, or look for transactions left open)',
    );
  }
}

/** A statement or lock wait ran past its configured bound (statement or lock timeout). */
export class QueryTimeoutError extends TrinityDbError {
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`query timeout (${target}): ${reason}`);
  }
}

/**
 * A transaction lost against a concurrent one (serialization failure or deadlock) and was rolled back
 * as a whole; running it again may succeed. `code` is the SQLSTATE (40001, 40P01).
 */
export class TransactionConflictError extends TrinityDbError {
  constructor(
    readonly target: string,
    readonly code: string,
    reason: string,
  ) {
    super(`transaction conflict (${target}): ${reason}; the transaction was rolled back and may be retried`);
  }
}

/**
 * A database handle was used where it cannot work: the manager (or repository) a transaction was
 * opened from, called inside that transaction's callback; or a transaction's `tx` used after the
 * transaction ended. The message names the fix.
 */
export class TransactionUsageError extends TrinityDbError {}

/**
 * Any other error the database reported for a statement. `code` is the driver's code (a SQLSTATE on
 * PostgreSQL, e.g. `SQLITE_ERROR` on SQLite). The message never holds a parameter value.
 */
export class DatabaseQueryError extends TrinityDbError {
  constructor(
    readonly target: string,
    readonly code: string | undefined,
    readonly reason: string,
  ) {
    super(`database error (${target})${code ? ` [${code}]` : ''}: ${reason}`);
  }
}

/**
 * A statement of this transaction failed earlier and its error was caught inside the callback: the
 * transaction can only roll back (as PostgreSQL requires; SQLite is held to the same rule), so its
 * later statements and its commit are refused and nothing of it is stored.
 */
export class TransactionAbortedError extends TrinityDbError {
  constructor(readonly target: string) {
    super(
      `transaction aborted (${target}): a statement of this transaction failed earlier; it was rolled back and nothing of it was stored ` +
        '(let the error propagate out of the callback, or run the statement that may fail in a nested transaction)',
    );
  }
}
