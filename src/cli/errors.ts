/**
 * Errors and exit codes of the `trinity-db` command. A failure is one line that says which database
 * it concerns (the source, the target, or the one database of the command), where its URL came from
 * (the flag or the variable) and what to do; URLs are only ever shown masked.
 */
import { ConfigError, type DatabaseConfig } from '../config';
import { translateIfDriverError } from '../sql/driver-errors';
import { DatabaseQueryError, DatabaseUnavailableError, InputValidationError, TrinityDbError } from '../errors';

/** Exit status of every command. */
export const EXIT = {
  ok: 0,
  /** Refused, failed, or differences / drift found. */
  failed: 1,
  /** Bad command line. */
  usage: 2,
  /** The database is not at this release's migration head (status, check). */
  pending: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export type DatabaseRole = 'source' | 'target' | 'database';

/** A database named on the command line: its role in the command and where its URL came from. */
export interface DatabaseRef {
  role: DatabaseRole;
  /** The flag or variable that gave the URL: `--to`, `TRINITY_DB_TARGET_URL`, `DATABASE_URL`, ... */
  via: string;
  maskedUrl: string;
  driver?: DatabaseConfig['driver'];
}

/** `the target postgresql://u:***@db/trinity (--to)`, or `sqlite:///x.db (DATABASE_URL)` for a command's only database. */
export function describeRef(ref: DatabaseRef): string {
  return ref.role === 'database' ? `${ref.maskedUrl} (${ref.via})` : `the ${ref.role} ${ref.maskedUrl} (${ref.via})`;
}

/** A failure attributed to one database of the command. */
export class DatabaseCommandError extends CliError {
  constructor(
    readonly ref: DatabaseRef,
    readonly reason: string,
    exitCode: ExitCode = EXIT.failed,
  ) {
    super(`${describeRef(ref)}: ${reason}`, exitCode);
    this.name = 'DatabaseCommandError';
  }
}

/** A URL that cannot be parsed: `DATABASE_URL: ...`, or `the target URL (--to): ...` (usage error). */
export function urlError(error: ConfigError, via: string, role: DatabaseRole): CliError {
  return new CliError(role === 'database' ? `${via}: ${error.reason}` : `the ${role} URL (${via}): ${error.reason}`, EXIT.usage);
}

interface ErrorShape {
  code?: string;
  message?: string;
  driverError?: ErrorShape;
  user?: string;
}

const SQLITE_MISSING = 'the SQLite file does not exist';

/** SQLite result codes (better-sqlite3 `code`) that mean the file itself is damaged or not a database. */
const SQLITE_DAMAGED = /^SQLITE_(CORRUPT|NOTADB)/;

/** What went wrong with a database, with a hint where one helps (no URL: the caller names the database). */
export function explainDatabaseError(error: unknown): string {
  if (error instanceof DatabaseUnavailableError) {
    return error.reason === SQLITE_MISSING ? `${SQLITE_MISSING} (check the path; \`trinity-db migrate\` creates a new database)` : error.reason;
  }
  const shape = ((error as ErrorShape)?.driverError ?? error) as ErrorShape | undefined;
  const code = shape?.code;
  const message = String(shape?.message ?? error);
  if (code && SQLITE_DAMAGED.test(code)) {
    return `the file is damaged or not a SQLite database (${code}: ${message}); restore it from a backup, or check it with \`sqlite3 FILE 'PRAGMA integrity_check'\``;
  }
  if (code === 'SQLITE_READONLY_ROLLBACK') {
    return `the file has an unfinished transaction (a hot -journal) that only a writer can roll back (${code}); open it once read-write (e.g. \`sqlite3 FILE 'PRAGMA quick_check'\`) after backing it up`;
  }
  if (code === '28P01') return `${message}: check the password (in the URL, or PGPASSWORD when the URL has none)`;
  if (code === '28000') return `${message} (check the user name and the server's pg_hba.conf)`;
  const translated = translateIfDriverError(code?.startsWith('SQLITE') ? 'sqlite' : 'postgres', error, { target: 'the database' });
  if (translated instanceof DatabaseUnavailableError || translated instanceof DatabaseQueryError || translated instanceof InputValidationError) return translated.reason;
  if (translated instanceof TrinityDbError) return translated.message;
  return message;
}

/** Wraps any error of an operation on `ref` as a DatabaseCommandError (CliErrors pass through). */
export function attributeTo(ref: DatabaseRef, error: unknown): CliError {
  if (error instanceof CliError) return error;
  return new DatabaseCommandError(ref, explainDatabaseError(error));
}

/** Runs `fn`, attributing its failure to `ref`. */
export async function onDatabase<T>(ref: DatabaseRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw attributeTo(ref, error);
  }
}
