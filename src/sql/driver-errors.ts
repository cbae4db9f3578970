/**
 * Driver errors -> the package's typed errors, with the same wording on both drivers. Called where a
 * statement reaches a driver (the executors) and where a connection is opened (DataSource start-up,
 * migration runs); nothing else translates. A translated error never holds a parameter value: it
 * keeps no reference to the driver's error (PostgreSQL's `detail` repeats the offending row, and
 * some messages quote the value), only its code and a message with quoted values removed.
 */
import type { Driver } from '../dialect';
import {
  DatabaseQueryError,
  DatabaseUnavailableError,
  InputValidationError,
  NotNullConstraintError,
  PoolExhaustedError,
  QueryTimeoutError,
  TransactionAbortedError,
  TransactionConflictError,
  TrinityDbError,
  UniqueConstraintError,
  ValueRejectedError,
} from '../errors';

/** What an error names and, for PostgreSQL, the pool figures a pool timeout reports. */
export interface ErrorContext {
  /** The SQLite file, or the PostgreSQL URL with its password masked. */
  target: string;
  pool?: { max: number; acquireTimeoutMs: number; isFull(): boolean };
}

interface DriverErrorShape {
  code?: string;
  message?: string;
  table?: string;
  column?: string;
  detail?: string;
}

/** Any error from a driver (or TypeORM wrapping one) as a TrinityDbError; the package's own errors pass through. */
export function translateDriverError(driver: Driver, error: unknown, context: ErrorContext): TrinityDbError {
  if (error instanceof TrinityDbError) return error;
  const shape = ((error as { driverError?: DriverErrorShape })?.driverError ?? error) as DriverErrorShape;
  if (!shape || typeof shape !== 'object') return new DatabaseQueryError(context.target, undefined, 'the driver failed without an error message');
  return (driver === 'sqlite' ? translateSqlite(shape, context) : translatePostgres(shape, context)) ?? unknownError(shape, context);
}

/**
 * translateDriverError for errors that come from a driver (recognised by the tables below, carrying a
 * code, or wrapped by TypeORM); anything else, such as an error a migration threw itself, passes unchanged.
 */
export function translateIfDriverError(driver: Driver, error: unknown, context: ErrorContext): unknown {
  if (error instanceof TrinityDbError || !error || typeof error !== 'object') return error;
  const shape = ((error as { driverError?: DriverErrorShape }).driverError ?? error) as DriverErrorShape;
  const known = driver === 'sqlite' ? translateSqlite(shape, context) : translatePostgres(shape, context);
  if (known) return known;
  const fromDriver = 'driverError' in error || typeof shape.code === 'string';
  return fromDriver ? unknownError(shape, context) : error;
}

function splitQualified(names: string): { table?: string; columns: string[] } {
  const parts = names.split(',').map((n) => n.trim());
  const table = parts[0]?.includes('.') ? parts[0].split('.')[0] : undefined;
  return { table, columns: parts.map((p) => p.split('.').pop()!) };
}

/** better-sqlite3 refuses parameters other than numbers, strings, bigints, buffers and null, and reads a plain object as named parameters. */
const UNBINDABLE = /can only bind|Too (few|many) parameter values|named parameters|Missing named parameter/;

function translateSqlite({ code, message = '' }: DriverErrorShape, { target }: ErrorContext): TrinityDbError | undefined {
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const { table, columns } = splitQualified(message.replace(/^.*constraint failed: /, ''));
    return new UniqueConstraintError(table, columns);
  }
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') {
    const { table, columns } = splitQualified(message.replace(/^.*constraint failed: /, ''));
    return new NotNullConstraintError(table, columns[0]);
  }
  if (code?.startsWith('SQLITE_READONLY')) return new DatabaseUnavailableError(target, 'the database file is read-only');
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    return new DatabaseUnavailableError(target, 'the database is locked by another process (busy timeout exceeded)');
  }
  if (code?.startsWith('SQLITE_CANTOPEN')) return new DatabaseUnavailableError(target, 'the database file cannot be opened');
  if (code === 'SQLITE_FULL') return new DatabaseUnavailableError(target, 'the disk is full (or the file reached its size limit); nothing of the failed statement was stored');
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return new DatabaseUnavailableError(target, 'the file is not a database or is corrupt (database disk image is malformed)');
  if (code?.startsWith('SQLITE_IOERR')) return new DatabaseUnavailableError(target, `disk I/O error (${code})`);
  if (UNBINDABLE.test(message)) return new InputValidationError('parameter', 'unsupported value type (expected a string, number or null)');
  if (code === 'SQLITE_MISMATCH') return new InputValidationError('parameter', 'datatype mismatch (a value SQLite cannot use there, e.g. a LIMIT that is not an integer)');
  if (/database connection is not open/.test(message)) return new DatabaseUnavailableError(target, 'the database connection is closed');
  return undefined;
}

/** node-postgres network errors and server codes of a server that is going away or refuses connections. */
const PG_UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const PG_UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|Client has encountered a connection error|Connection ended unexpectedly|Client was closed|not queryable/i;
/** Node's TLS verification codes (the server certificate or its name does not check out). */
const TLS_CODES = /^(ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE)|CERT_)/;

function translatePostgres(error: DriverErrorShape, context: ErrorContext): TrinityDbError | undefined {
  const { code, message = '' } = error;
  const { target } = context;
  switch (code) {
    case '23505': {
      const columns = /^Key \((.+?)\)=/.exec(error.detail ?? '')?.[1].split(',').map((c) => c.trim().replace(/"/g, '')) ?? [];
      return new UniqueConstraintError(error.table, columns);
    }
    case '23502':
      return new NotNullConstraintError(error.table, error.column ?? '?');
    case '22021':
    case '22P05':
      // PostgreSQL text cannot hold NUL (U+0000); SQLite stores it.
      return new InputValidationError('parameter', 'text containing a NUL (U+0000) character cannot be stored on PostgreSQL');
    // A number or text the column type cannot take (PostgreSQL integer is 32 bits); never repeats the value.
    case '22003':
      return new InputValidationError('parameter', 'a number is out of range for its PostgreSQL column type');
    case '22P02':
      return new InputValidationError('parameter', 'a value is not valid input for its PostgreSQL column type');
    case '54000':
      return new ValueRejectedError('value too large for a PostgreSQL index entry (an indexed text column holds at most a few kB)');
    case '25P02':
      return new TransactionAbortedError(target);
    case '40001':
      return new TransactionConflictError(target, code, 'could not serialize access due to a concurrent update');
    case '40P01':
      return new TransactionConflictError(target, code, 'deadlock detected');
    case '57014':
      return /statement timeout/.test(message) ? new QueryTimeoutError(target, 'the statement ran longer than the statement timeout (DB_STATEMENT_TIMEOUT)') : undefined;
    case '55P03':
      return new QueryTimeoutError(target, 'a lock was not granted within the lock timeout (DB_LOCK_TIMEOUT)');
    case '25P03':
      return new QueryTimeoutError(target, 'the transaction stayed idle longer than the idle-in-transaction timeout; the server closed the connection');
    case '28P01':
    case '28000':
      return new DatabaseUnavailableError(target, `authentication failed (${code}): ${stripQuotedValues(message)}`);
    case '3D000':
      return new DatabaseUnavailableError(target, missingDatabase(message));
    case '53300':
      return new DatabaseUnavailableError(target, 'the server has no free connection slots (max_connections reached)');
    case '08P01':
      // PgBouncer passes the server's refusal of a database it does not know on with this code.
      if (/database ".*" does not exist/.test(message)) return new DatabaseUnavailableError(target, missingDatabase(message));
      // PgBouncer reports its own refusals with this code, in messages that name its setting
      // ("no more connections allowed (max_client_conn)", "query_wait_timeout", "server login has
      // been failing, try again later (server_login_retry)"); none carries a value.
      return new DatabaseUnavailableError(target, `the connection pooler (or server) refused or dropped the connection: ${stripQuotedValues(message)}`);
  }
  if (/timeout exceeded when trying to connect/.test(message)) {
    const pool = context.pool;
    if (pool?.isFull()) return new PoolExhaustedError(target, pool.max, pool.acquireTimeoutMs);
    return new DatabaseUnavailableError(target, unavailableReason(error));
  }
  if (/does not support SSL/.test(message)) return new DatabaseUnavailableError(target, 'the server does not support TLS connections (the URL asks for sslmode=require or stricter)');
  if (code && TLS_CODES.test(code)) return new DatabaseUnavailableError(target, `the server's TLS certificate was refused (${code}): ${message}`);
  // PgBouncer answers a wrong password with 08P01 "SASL authentication failed" (or "password authentication failed").
  if (/authentication failed/.test(message)) return new DatabaseUnavailableError(target, `authentication failed (${code ?? 'no code'}): ${stripQuotedValues(message)}`);
  if (/SASL|password must be a string/.test(message)) return new DatabaseUnavailableError(target, 'the server asks for a password and none was given (put it in the URL or PGPASSWORD)');
  if (/after calling end on the pool/.test(message)) return new DatabaseUnavailableError(target, 'the database connection is closed');
  if ((code && PG_UNAVAILABLE_CODES.has(code)) || PG_UNAVAILABLE_MESSAGES.test(message)) return new DatabaseUnavailableError(target, unavailableReason(error));
  return undefined;
}

/** A database that does not exist, with how to create it. */
function missingDatabase(message: string): string {
  const name = /database "(.*)" does not exist/.exec(message)?.[1];
  return `${name ? `database "${name}"` : 'the database'} does not exist (3D000): create it first, e.g. \`createdb -h HOST -p PORT -U USER ${name ?? 'NAME'}\` or \`CREATE DATABASE ${name ? `"${name}"` : 'name'};\``;
}

/** Why PostgreSQL cannot be reached, with what to check (socket errors carry the address tried). */
function unavailableReason(error: DriverErrorShape & { address?: string; port?: number; hostname?: string; errors?: DriverErrorShape[] }): string {
  const { code, message = '' } = error;
  const attempt = (error.errors?.[0] ?? error) as { address?: string; port?: number };
  const at = attempt.address ? ` at ${attempt.address.includes(':') ? `[${attempt.address}]` : attempt.address}${attempt.port ? `:${attempt.port}` : ''}` : '';
  if (code === 'ECONNREFUSED') return `connection refused${at} (ECONNREFUSED): is the PostgreSQL server running and accepting TCP connections there?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name${error.hostname ? ` '${error.hostname}'` : ''} cannot be resolved (${code}): check the host in the URL`;
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) return `no answer from the server within the connect timeout${at}: check the host, the port and any firewall (DB_CONNECT_TIMEOUT, or connect_timeout in the URL)`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `the host is unreachable${at} (${code})`;
  if (code === '57P03') return 'the server is starting up or shutting down (57P03): try again in a moment';
  if (code === '57P01' || code === '57P02') return `the server terminated the connection (${code})`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `the connection was lost (${code})`;
  if (code && /^[A-Z0-9]/.test(code)) return `connection failed (${code})`;
  return /Connection terminated|Connection ended|connection error/i.test(message) ? `the connection was lost (${message})` : 'connection failed';
}

/** Messages of data errors quote the offending value (`invalid input syntax for type integer: "x"`): drop it. */
function stripQuotedValues(message: string): string {
  return message.replace(/:\s*"[\s\S]*$/, '').replace(/\((?:[^()]*)\)=\([\s\S]*?\)/g, '(...)');
}

function unknownError({ code, message }: DriverErrorShape, { target }: ErrorContext): DatabaseQueryError {
  return new DatabaseQueryError(target, code, stripQuotedValues(message || 'unknown error'));
}
