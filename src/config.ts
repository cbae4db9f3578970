/**
 * DATABASE_URL -> typed database configuration.
 *
 * Operators hold SQLAlchemy-style URLs (the legacy Python service used them), so
 * URLs mean what they mean to SQLAlchemy: `sqlite:///rel.db` is relative,
 * `sqlite:////abs.db` absolute, `+driver` suffixes are ignored, user, password,
 * host, path and query values are percent-decoded (query values also turn `+`
 * into a space, as Python's parse_qsl does).
 *
 * Secrets: a password never reaches a message, toString, JSON or inspect
 * output. URLs are only shown through maskUrl, and the password (and the TLS
 * private key) are non-enumerable properties, as pg itself stores them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TrinityDbError } from './errors';

export class ConfigError extends TrinityDbError {
  readonly variable: string;
  /** What is wrong, without the variable name (the message is `<variable>: <reason>`). */
  readonly reason: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.variable = variable;
    this.reason = message;
  }
}

export type JournalMode = 'DELETE' | 'TRUNCATE' | 'PERSIST' | 'WAL';
export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
export type ConfigSource = 'DATABASE_URL' | 'TRINITY_DB_PATH' | 'default' | 'argument';
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface SqliteConfig {
  driver: 'sqlite';
  url: string;
  maskedUrl: string;
  source: ConfigSource;
  /** Absolute path, or ':memory:'. */
  path: string;
  inMemory: boolean;
  busyTimeoutMs: number;
  journalMode: JournalMode;
  synchronous: SynchronousMode;
}

export interface PoolConfig {
  size: number;
  maxOverflow: number;
  max: number;
  min: number;
  acquireTimeoutMs: number;
  idleTimeoutMs: number;
}

/**
 * What `pg` passes to `tls.connect`. `checkServerIdentity` is present for verify-ca, which checks
 * the certificate chain but not the host name (libpq's meaning).
 */
export interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  /** The passphrase of an encrypted `sslkey` (`sslpassword`). */
  passphrase?: string;
  checkServerIdentity?: (host: string, certificate: unknown) => Error | undefined;
}

export interface PostgresConfig {
  driver: 'postgres';
  maskedUrl: string;
  source: ConfigSource;
  host: string;
  port: number;
  database: string;
  user?: string;
  /** Non-enumerable: absent from JSON.stringify and util.inspect. */
  readonly password?: string;
  sslmode?: SslMode;
  /** `key` and `passphrase` are non-enumerable or hidden (pg copies them explicitly, see pg/lib/connection.js). */
  ssl: false | TlsOptions;
  applicationName: string;
  connectTimeoutMs: number;
  /** Session limits, applied per statement and per transaction (never as startup parameters); 0 = left to the server. */
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  /**
   * The schema that holds every table, index and the migrations table (`?schema=` or DB_SCHEMA);
   * absent: the server's search_path decides (normally `public`).
   */
  schema?: string;
  pool: PoolConfig;
}

export type DatabaseConfig = SqliteConfig | PostgresConfig;

export const DEFAULT_DATABASE_URL = 'sqlite:///data/trinity.db';

const JOURNAL_MODES: readonly JournalMode[] = ['DELETE', 'TRUNCATE', 'PERSIST', 'WAL'];
const SYNCHRONOUS_MODES: readonly SynchronousMode[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
const POSTGRES_OPTIONS = [
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'connect_timeout',
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'schema',
  'application_name',
  'host',
  'port',
  'password',
  'sslpassword',
];
/** Query options whose values are secrets: libpq takes the password and the TLS key's passphrase there too. */
const SECRET_QUERY_OPTIONS = ['password', 'sslpassword'];

/** Session limit defaults, in seconds (docs/DEPLOYMENT.md → Production PostgreSQL). */
export const DEFAULT_STATEMENT_TIMEOUT_S = 30;
export const DEFAULT_LOCK_TIMEOUT_S = 10;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_S = 60;
const SQLITE_OPTIONS = ['timeout'];
const EXAMPLES = 'sqlite:///relative/path.db, sqlite:////absolute/path.db or postgresql://user:password@host:5432/dbname';

// ---------------------------------------------------------------------------
// URL splitting (shared by the parser and maskUrl, so both agree on where the
// password is).

interface UrlParts {
  scheme: string;
  user?: string; // raw (still percent-encoded)
  password?: string; // raw
  passwordStart: number; // offsets of the raw password inside the URL
  passwordEnd: number;
  host: string; // raw; may be '[ipv6]'
  port?: string; // raw text after ':' (may be empty or invalid)
  path?: string; // raw text after the first '/', undefined when there is no '/'
  query?: string; // raw text after '?'
}

function splitHostPort(hostport: string): { host: string; port?: string } {
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close >= 0) {
      const after = hostport.slice(close + 1);
      return { host: hostport.slice(0, close + 1), port: after.startsWith(':') ? after.slice(1) : after || undefined };
    }
  }
  const colon = hostport.indexOf(':');
  return colon < 0 ? { host: hostport } : { host: hostport.slice(0, colon), port: hostport.slice(colon + 1) };
}

function splitAfterUserinfo(rest: string): Pick<UrlParts, 'host' | 'port' | 'path' | 'query'> {
  const q = rest.indexOf('?');
  const beforeQuery = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? undefined : rest.slice(q + 1);
  const slash = beforeQuery.indexOf('/');
  const hostport = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const urlPath = slash < 0 ? undefined : beforeQuery.slice(slash + 1);
  return { ...splitHostPort(hostport), path: urlPath, query };
}

/** Whether the standard split (userinfo ends inside the authority) gives a sane URL. */
function looksWellFormed(p: Pick<UrlParts, 'port' | 'path' | 'query'>): boolean {
  if (p.port !== undefined && !/^\d*$/.test(p.port)) return false;
  if (p.path !== undefined && p.path.includes('@')) return false;
  const pairs = (p.query ?? '').split('&').filter((s) => s !== '');
  return pairs.every((pair) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(pair));
}

function splitUrl(url: string): UrlParts | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(url);
  if (!m) return undefined;
  const scheme = m[1];
  const rest = m[2];
  const base = scheme.length + 3;

  // Standard rule: the authority ends at the first '/' or '?', and userinfo at
  // its last '@'. But operators paste passwords containing unencoded '/' or
  // '?' (SQLAlchemy's own regex lets them through). When the standard reading
  // looks broken and another '@' follows, the password runs to the first such
  // '@' that leaves a sane rest, else to the last '@': this errs on hiding.
  const authEnd = rest.search(/[/?]/) < 0 ? rest.length : rest.search(/[/?]/);
  let at = rest.slice(0, authEnd).lastIndexOf('@');
  if (!looksWellFormed(splitAfterUserinfo(rest.slice(at + 1)))) {
    const later: number[] = [];
    for (let i = rest.indexOf('@', authEnd); i >= 0; i = rest.indexOf('@', i + 1)) later.push(i);
    const userCandidate = rest.split(':')[0];
    if (later.length > 0 && !/[/?@]/.test(userCandidate)) {
      at = later.find((i) => looksWellFormed(splitAfterUserinfo(rest.slice(i + 1)))) ?? later[later.length - 1];
    }
  }

  const parts: UrlParts = { scheme, passwordStart: -1, passwordEnd: -1, ...splitAfterUserinfo(rest.slice(at + 1)) };
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    parts.user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (colon >= 0) {
      parts.password = userinfo.slice(colon + 1);
      parts.passwordStart = base + colon + 1;
      parts.passwordEnd = base + at;
    }
  }
  return parts;
}

/** Fallback for strings that are not `scheme://...`: hide everything between the first ':' of the userinfo and the last '@'. */
function maskUnparsed(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const slashes = text.indexOf('//');
  const start = slashes >= 0 && slashes < at ? slashes + 2 : 0;
  const colon = text.indexOf(':', start);
  if (colon < 0 || colon > at) return text;
  return `${text.slice(0, colon + 1)}***${text.slice(at)}`;
}

/**
 * Hides the values of the secret query options (`password`, `sslpassword`) in `text` from its
 * first '?' on. Keys are compared percent-decoded, as the parser reads them, so `pass%77ord=`
 * is hidden too; a value runs to the next '&' (or '#'), whatever it contains.
 */
function maskQuerySecrets(text: string): string {
  const q = text.indexOf('?');
  if (q < 0) return text;
  const masked = text
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const key = percentDecode(pair.slice(0, eq).replace(/\+/g, ' ')).trim().toLowerCase();
      return SECRET_QUERY_OPTIONS.includes(key) ? `${pair.slice(0, eq)}=***` : pair;
    })
    .join('&');
  return `${text.slice(0, q + 1)}${masked}`;
}

/**
 * Replace the password of a URL (the userinfo password and the `password` / `sslpassword` query
 * options) by `***`; everything else is kept verbatim.
 */
export function maskUrl(url: string): string {
  const parts = splitUrl(url);
  if (!parts) return maskQuerySecrets(maskUnparsed(url));
  if (parts.password === undefined || parts.password === '') return maskQuerySecrets(url);
  const tail = url.slice(parts.passwordEnd);
  return `${url.slice(0, parts.passwordStart)}***${maskQuerySecrets(tail)}`;
}

// ---------------------------------------------------------------------------
// Value helpers

/** Like Python's unquote: decodes valid %XX runs, leaves stray '%' alone, never throws. */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

function parseQuery(
  query: string | undefined,
  supported: string[],
  variable: string,
  shown: string,
  backend: string,
): Map<string, string> {
  const options = new Map<string, string>();
  for (const pair of (query ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = percentDecode(eq < 0 ? pair : pair.slice(0, eq));
    if (!supported.includes(key)) {
      const hint = backend === 'postgresql' && key === 'options' ? ` (${NO_STARTUP_OPTIONS})` : '';
      throw new ConfigError(
        variable,
        `unsupported query option '${key}' in '${shown}'${hint}; supported for ${backend}: ${supported.join(', ')}`,
      );
    }
    if (eq < 0) throw new ConfigError(variable, `query option '${key}' has no value in '${shown}'; expected ${key}=<value>`);
    if (options.has(key)) throw new ConfigError(variable, `query option '${key}' is given more than once in '${shown}'`);
    options.set(key, percentDecode(pair.slice(eq + 1).replace(/\+/g, ' ')));
  }
  return options;
}

const NO_STARTUP_OPTIONS =
  'startup options are not sent, because a transaction pooler such as PgBouncer refuses them; use schema=, statement_timeout=, lock_timeout= or idle_in_transaction_session_timeout=';

/** PostgreSQL's time units for duration settings (a bare number is milliseconds, as in postgresql.conf). */
const DURATION_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration in PostgreSQL's spelling (`5000`, `5s`, `2min`, `1.5h`) -> integer milliseconds. */
function pgDurationToMs(raw: string, variable: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(us|ms|s|min|h|d)?\s*$/.exec(raw);
  const ms = m ? Math.round(Number(m[1]) * DURATION_UNITS_MS[m[2] ?? 'ms']) : NaN;
  if (!Number.isSafeInteger(ms) || ms > 2_147_483_647) {
    throw new ConfigError(variable, `${what} must be a non-negative duration as PostgreSQL writes it (milliseconds, or with a unit: 500ms, 30s, 2min, 1h), got '${raw}'`);
  }
  return ms;
}

/** Non-negative decimal seconds -> integer milliseconds. */
function secondsToMs(raw: string, variable: string, what: string): number {
  const text = raw.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || !Number.isFinite(Number(text))) {
    throw new ConfigError(variable, `${what} must be a non-negative number of seconds (e.g. 30 or 2.5), got '${raw}'`);
  }
  return Math.round(Number(text) * 1000);
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function envSecondsMs(env: NodeJS.ProcessEnv, name: string, defaultSeconds: number): number {
  const raw = envValue(env, name);
  return raw === undefined ? defaultSeconds * 1000 : secondsToMs(raw, name, 'value');
}

function envInteger(env: NodeJS.ProcessEnv, name: string, defaultValue: number, min: number): number {
  const raw = envValue(env, name);
  if (raw === undefined) return defaultValue;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(name, `must be an integer >= ${min}, got '${raw}'`);
  }
  return value;
}

function envChoice<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], defaultValue: T): T {
  const raw = envValue(env, name);
  if (raw === undefined) return defaultValue;
  const value = raw.trim().toUpperCase() as T;
  if (!allowed.includes(value)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got '${raw}'`);
  return value;
}

function parsePort(raw: string, variable: string, shown: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new ConfigError(variable, `port must be a number between 1 and 65535, got '${raw}' in '${shown}'`);
  }
  return port;
}

function readCertFile(file: string, option: string, variable: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${option} file '${file}': ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------
// Public API

/** Which URL to use: DATABASE_URL, else a SQLite file at TRINITY_DB_PATH, else the default. */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): {
  url: string;
  source: ConfigSource;
  variable: string;
} {
  const url = envValue(env, 'DATABASE_URL');
  if (url !== undefined) return { url: url.trim(), source: 'DATABASE_URL', variable: 'DATABASE_URL' };
  const dbPath = envValue(env, 'TRINITY_DB_PATH');
  if (dbPath !== undefined) {
    // Encode the characters the URL parser would otherwise give a meaning to.
    const encoded = dbPath.trim().replace(/[%?@]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    return { url: `sqlite:///${encoded}`, source: 'TRINITY_DB_PATH', variable: 'TRINITY_DB_PATH' };
  }
  return { url: DEFAULT_DATABASE_URL, source: 'default', variable: 'DATABASE_URL' };
}

export function parseDatabaseUrl(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  source: ConfigSource = 'argument',
  variable = 'DATABASE_URL',
): DatabaseConfig {
  const text = url.trim();
  const shown = maskUrl(text);
  const parts = splitUrl(text);
  if (!parts) throw new ConfigError(variable, `'${shown}' is not a database URL; expected ${EXAMPLES}`);

  const backend = parts.scheme.split('+')[0].toLowerCase();
  if (backend === 'sqlite') return parseSqlite(text, shown, parts, env, source, variable);
  if (backend === 'postgresql' || backend === 'postgres') return parsePostgres(shown, parts, env, source, variable);
  throw new ConfigError(
    variable,
    `unsupported database '${parts.scheme}' in '${shown}'; expected a sqlite:// or postgresql:// URL (${EXAMPLES})`,
  );
}

function parseSqlite(
  url: string,
  shown: string,
  parts: UrlParts,
  env: NodeJS.ProcessEnv,
  source: ConfigSource,
  variable: string,
): SqliteConfig {
  if (parts.user !== undefined || parts.host !== '' || parts.port !== undefined) {
    throw new ConfigError(
      variable,
      `SQLite URLs take no user, password, host or port, got '${shown}'; expected sqlite:///relative/path.db or sqlite:////absolute/path.db`,
    );
  }
  const options = parseQuery(parts.query, SQLITE_OPTIONS, variable, shown, 'sqlite');
  const file = percentDecode(parts.path ?? '');
  // SQLAlchemy: no database, or ':memory:', is an in-memory database.
  const inMemory = file === '' || file === ':memory:';
  const timeout = options.get('timeout');
  return {
    driver: 'sqlite',
    url,
    maskedUrl: shown,
    source,
    path: inMemory ? ':memory:' : path.resolve(process.cwd(), file),
    inMemory,
    busyTimeoutMs:
      timeout !== undefined
        ? secondsToMs(timeout, variable, "query option 'timeout'")
        : envSecondsMs(env, 'DB_SQLITE_BUSY_TIMEOUT', 30),
    journalMode: envChoice(env, 'DB_SQLITE_JOURNAL_MODE', JOURNAL_MODES, 'WAL'),
    synchronous: envChoice(env, 'DB_SQLITE_SYNCHRONOUS', SYNCHRONOUS_MODES, 'FULL'),
  };
}

function parsePostgres(
  shown: string,
  parts: UrlParts,
  env: NodeJS.ProcessEnv,
  source: ConfigSource,
  variable: string,
): PostgresConfig {
  const options = parseQuery(parts.query, POSTGRES_OPTIONS, variable, shown, 'postgresql');

  const database = percentDecode(parts.path ?? '');
  if (database === '') {
    throw new ConfigError(
      variable,
      `database name is missing in '${shown}'; expected postgresql://user:password@host:5432/dbname`,
    );
  }

  let host = percentDecode(parts.host.replace(/^\[(.*)\]$/, '$1'));
  if (options.has('host')) host = options.get('host') as string; // e.g. a unix socket directory
  if (host === '') host = 'localhost';
  if (/[\s,@]/.test(host)) {
    throw new ConfigError(variable, `invalid host '${host}' in '${shown}'; expected one host name, IP address or socket directory`);
  }

  let port = 5432;
  if (parts.port !== undefined && parts.port !== '') port = parsePort(parts.port, variable, shown);
  if (options.has('port')) port = parsePort(options.get('port') as string, variable, shown);

  const sslmodeRaw = options.get('sslmode');
  if (sslmodeRaw !== undefined && !SSL_MODES.includes(sslmodeRaw as SslMode)) {
    throw new ConfigError(variable, `sslmode must be one of ${SSL_MODES.join(', ')}, got '${sslmodeRaw}' in '${shown}'`);
  }
  const sslmode = sslmodeRaw as SslMode | undefined;

  const ssl = tlsOptions(sslmode, options, variable, shown);
  const sslmodeInEffect = sslmode ?? (options.get('sslrootcert') === 'system' ? 'verify-full' : undefined);

  const connectTimeout = options.get('connect_timeout');
  const size = envInteger(env, 'DB_POOL_SIZE', 5, 1);
  const maxOverflow = envInteger(env, 'DB_POOL_MAX_OVERFLOW', 10, 0);
  const config: PostgresConfig = {
    driver: 'postgres',
    maskedUrl: shown,
    source,
    host,
    port,
    database,
    user: parts.user ? percentDecode(parts.user) : undefined,
    sslmode: sslmodeInEffect,
    ssl,
    applicationName: options.get('application_name') ?? 'trinity-db',
    connectTimeoutMs:
      connectTimeout !== undefined
        ? secondsToMs(connectTimeout, variable, "query option 'connect_timeout'")
        : envSecondsMs(env, 'DB_CONNECT_TIMEOUT', 10),
    statementTimeoutMs: timeoutSetting(options, env, 'statement_timeout', 'DB_STATEMENT_TIMEOUT', DEFAULT_STATEMENT_TIMEOUT_S, variable),
    lockTimeoutMs: timeoutSetting(options, env, 'lock_timeout', 'DB_LOCK_TIMEOUT', DEFAULT_LOCK_TIMEOUT_S, variable),
    idleInTransactionTimeoutMs: timeoutSetting(
      options,
      env,
      'idle_in_transaction_session_timeout',
      'DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT',
      DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_S,
      variable,
    ),
    schema: schemaSetting(options.get('schema'), variable, shown) ?? schemaSetting(envValue(env, 'DB_SCHEMA')?.trim(), 'DB_SCHEMA', 'DB_SCHEMA'),
    pool: {
      size,
      maxOverflow,
      max: size + maxOverflow,
      min: 0,
      acquireTimeoutMs: envSecondsMs(env, 'DB_POOL_TIMEOUT', 30),
      idleTimeoutMs: envSecondsMs(env, 'DB_POOL_IDLE_TIMEOUT', 300),
    },
  };
  if (config.user === undefined) delete config.user;
  if (config.sslmode === undefined) delete config.sslmode;
  if (config.schema === undefined) delete config.schema;
  // As in libpq, a `password` query option wins over the userinfo password.
  const password = options.get('password') ?? (parts.password ? percentDecode(parts.password) : undefined);
  // Non-enumerable, so JSON.stringify and util.inspect leave it out.
  Object.defineProperty(config, 'password', { value: password === '' ? undefined : password, enumerable: false });
  return config;
}

/** A session limit: the URL option (PostgreSQL's spelling, bare = ms) wins over the variable (seconds). */
function timeoutSetting(
  options: Map<string, string>,
  env: NodeJS.ProcessEnv,
  option: string,
  envName: string,
  defaultSeconds: number,
  variable: string,
): number {
  const raw = options.get(option);
  return raw !== undefined ? pgDurationToMs(raw, variable, `query option '${option}'`) : envSecondsMs(env, envName, defaultSeconds);
}

/**
 * A schema name: letters, digits, `_` and `$`, not starting with a digit (TypeORM splits names on
 * `.` and does not escape `"`), at most 63 bytes (PostgreSQL would truncate it), not a system name.
 * It is used verbatim, quoted: `Tenant_A` is not `tenant_a`.
 */
function schemaSetting(raw: string | undefined, variable: string, shown: string): string | undefined {
  if (raw === undefined) return undefined;
  const problem =
    raw === ''
      ? 'is empty'
      : !/^[\p{L}_][\p{L}\p{N}_$]*$/u.test(raw)
        ? 'may only hold letters, digits, _ and $, and must not start with a digit'
        : Buffer.byteLength(raw) > 63
          ? 'is longer than 63 bytes (PostgreSQL would truncate it)'
          : /^pg_/i.test(raw) || raw.toLowerCase() === 'information_schema'
            ? 'is reserved for PostgreSQL itself'
            : undefined;
  if (problem) throw new ConfigError(variable, `schema '${raw}' ${problem} (in '${shown}'); expected a schema name such as trinity`);
  return raw;
}

/**
 * sslmode as libpq means it. disable, allow and prefer connect without TLS (pg has no
 * "try TLS, fall back to plain"). require encrypts without verifying the server, unless
 * sslrootcert is given: then, as in libpq, it verifies like verify-ca. verify-ca checks the
 * certificate chain against sslrootcert (or the system's CAs) but not the host name; verify-full
 * checks both. sslrootcert=system uses the system's CAs and, as in libpq, defaults to verify-full
 * and refuses weaker modes.
 */
function tlsOptions(sslmode: SslMode | undefined, options: Map<string, string>, variable: string, shown: string): PostgresConfig['ssl'] {
  const rootcert = options.get('sslrootcert');
  const systemRoots = rootcert === 'system';
  if (systemRoots && sslmode !== undefined && sslmode !== 'verify-full') {
    throw new ConfigError(variable, `sslrootcert=system requires sslmode=verify-full (or no sslmode), got sslmode=${sslmode} in '${shown}'`);
  }
  const mode = sslmode ?? (systemRoots ? 'verify-full' : undefined);
  if (mode !== 'require' && mode !== 'verify-ca' && mode !== 'verify-full') return false;
  const verify = mode !== 'require' || rootcert !== undefined;
  const tls: TlsOptions = { rejectUnauthorized: verify };
  if (verify && mode !== 'verify-full') tls.checkServerIdentity = acceptAnyHostName;
  if (rootcert !== undefined && !systemRoots) tls.ca = readCertFile(rootcert, 'sslrootcert', variable);
  const cert = options.get('sslcert');
  const key = options.get('sslkey');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(variable, `sslcert and sslkey go together (a client certificate and its private key), got only ${cert === undefined ? 'sslkey' : 'sslcert'} in '${shown}'`);
  }
  if (cert !== undefined) tls.cert = readCertFile(cert, 'sslcert', variable);
  if (key !== undefined) {
    Object.defineProperty(tls, 'key', {
      value: readCertFile(key, 'sslkey', variable),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
  const passphrase = options.get('sslpassword');
  if (passphrase !== undefined) {
    // pg hands the TLS options to tls.connect with Object.assign, which copies enumerable
    // properties only: an enumerable getter is copied, yet util.inspect shows `[Getter]` and
    // JSON.stringify (through toJSON) leaves it out.
    Object.defineProperty(tls, 'passphrase', { get: () => passphrase, enumerable: true, configurable: true });
    Object.defineProperty(tls, 'toJSON', {
      value: () => Object.fromEntries(Object.entries(tls).filter(([name]) => name !== 'passphrase')),
      enumerable: false,
    });
  }
  return tls;
}

/** verify-ca: the chain is verified (rejectUnauthorized), the host name is not. */
function acceptAnyHostName(): undefined {
  return undefined;
}

/** Resolve (DATABASE_URL / TRINITY_DB_PATH / default) and parse. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const { url, source, variable } = resolveDatabaseUrl(env);
  return parseDatabaseUrl(url, env, source, variable);
}

/** mkdir -p of the SQLite file's directory, so a fresh deployment can start. */
export function ensureSqliteDirectory(config: SqliteConfig): void {
  if (config.inMemory) return;
  const dir = path.dirname(config.path);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const variable = config.source === 'TRINITY_DB_PATH' ? 'TRINITY_DB_PATH' : 'DATABASE_URL';
    throw new ConfigError(variable, `cannot create directory '${dir}' for the SQLite database: ${(err as Error).message}`);
  }
}
