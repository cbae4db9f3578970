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
