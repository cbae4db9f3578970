/**
 * The settings every PostgreSQL statement runs under: the statement, lock and idle-in-transaction
 * timeouts and, with a schema of its own, the search_path. None of them is a startup parameter or a
 * session `SET`: a transaction pooler (PgBouncer in transaction mode) refuses startup options and
 * hands a server connection to another client after every transaction, so session state would be
 * lost or leak to that client. Instead each setting is local to one transaction:
 * - a transaction starts with `BEGIN; SET LOCAL ...` (one simple-protocol round trip);
 * - a statement outside a transaction carries `SELECT set_config(..., true)` in the same round trip
 *   (src/sql/postgres.ts): the extended protocol runs everything up to Sync in one implicit
 *   transaction, so the settings hold for the statement and end with it.
 * Timestamps need no session time zone: they are bound as Dates (pg sends them with an explicit
 * offset) and read as timestamptz, and the SQL never depends on the session's TimeZone.
 */
import type { PostgresConfig } from '../config';

export interface SessionSettings {
  /**
   * 0 = not set by trinity-db: the server's setting applies (its default, or what the role or
   * database sets with `ALTER ROLE/DATABASE ... SET`). With every limit 0, no schema and not
   * read-only, nothing at all is sent ahead of a statement.
   */
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  /** The only schema unqualified table names are looked up in; absent: the server's search_path. */
  schema?: string;
  /** Every statement and transaction read-only (the read-only commands: status, check, verify). */
  readOnly?: boolean;
}

export function sessionSettingsOf(config: PostgresConfig, readOnly = false): SessionSettings {
  const settings: SessionSettings = {
    statementTimeoutMs: config.statementTimeoutMs,
    lockTimeoutMs: config.lockTimeoutMs,
    idleInTransactionTimeoutMs: config.idleInTransactionTimeoutMs,
  };
  if (config.schema !== undefined) settings.schema = config.schema;
  if (readOnly) settings.readOnly = true;
  return settings;
}

/** A PostgreSQL identifier, quoted (case and every character kept). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A PostgreSQL string literal (standard_conforming_strings, the default since 9.1). */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** [setting, value] pairs of what trinity-db sets; the idle timeout only matters to an explicit transaction. */
function pairs(settings: SessionSettings, withIdleTimeout: boolean): [string, string][] {
  const list: [string, string][] = [];
  if (settings.statementTimeoutMs > 0) list.push(['statement_timeout', String(settings.statementTimeoutMs)]);
  if (settings.lockTimeoutMs > 0) list.push(['lock_timeout', String(settings.lockTimeoutMs)]);
  if (withIdleTimeout && settings.idleInTransactionTimeoutMs > 0) list.push(['idle_in_transaction_session_timeout', String(settings.idleInTransactionTimeoutMs)]);
  if (settings.schema !== undefined) list.push(['search_path', quoteIdentifier(settings.schema)]);
  // Turning a transaction read-only is allowed at any point of it (only the way back is not).
  if (settings.readOnly) list.push(['transaction_read_only', 'on']);
  return list;
}

/** The statement run ahead of a statement outside a transaction, in the same implicit transaction; null when there is nothing to set. */
export function statementPrelude(settings: SessionSettings): string | null {
  const list = pairs(settings, false);
  if (!list.length) return null;
  return `SELECT ${list.map(([name, value]) => `set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, true)`).join(', ')}`;
}

/** BEGIN and the transaction's settings, as one simple-protocol query (one round trip). */
export function beginStatement(settings: SessionSettings): string {
  return ['BEGIN', ...pairs(settings, true).map(([name, value]) => `SET LOCAL ${name} = ${name === 'search_path' ? value : quoteLiteral(value)}`)].join('; ');
}
