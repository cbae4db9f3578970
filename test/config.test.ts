import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';

import {
  ConfigError,
  DEFAULT_DATABASE_URL,
  DatabaseConfig,
  PostgresConfig,
  SqliteConfig,
  ensureSqliteDirectory,
  loadDatabaseConfig,
  maskUrl,
  parseDatabaseUrl,
  resolveDatabaseUrl,
} from '../src/config';

const cwd = process.cwd();

function sqlite(url: string, env: NodeJS.ProcessEnv = {}): SqliteConfig {
  const config = parseDatabaseUrl(url, env);
  if (config.driver !== 'sqlite') throw new Error(`expected sqlite config for ${url}`);
  return config;
}

function postgres(url: string, env: NodeJS.ProcessEnv = {}): PostgresConfig {
  const config = parseDatabaseUrl(url, env);
  if (config.driver !== 'postgres') throw new Error(`expected postgres config for ${url}`);
  return config;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error to be thrown');
}

/** Asserts a ConfigError for `variable` whose message contains every fragment. */
function expectConfigError(fn: () => unknown, variable: string, ...fragments: string[]): ConfigError {
  const err = catchError(fn);
  expect(err).toBeInstanceOf(ConfigError);
  const configError = err as ConfigError;
  expect(configError.variable).toBe(variable);
  expect(configError.message.startsWith(`${variable}: `)).toBe(true);
  for (const fragment of fragments) expect(configError.message).toContain(fragment);
  return configError;
}

const SQLITE_DEFAULTS = { busyTimeoutMs: 30_000, journalMode: 'WAL', synchronous: 'FULL' } as const;
const POOL_DEFAULTS = { size: 5, maxOverflow: 10, max: 15, min: 0, acquireTimeoutMs: 30_000, idleTimeoutMs: 300_000 };
const TIMEOUT_DEFAULTS = { statementTimeoutMs: 30_000, lockTimeoutMs: 10_000, idleInTransactionTimeoutMs: 60_000 };
const verifiesChainOnly = { rejectUnauthorized: true, checkServerIdentity: expect.any(Function) };

describe('ConfigError', () => {
  it('prefixes the message with the variable and is a named Error', () => {
    const err = new ConfigError('DB_POOL_SIZE', 'must be an integer >= 1');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConfigError');
    expect(err.variable).toBe('DB_POOL_SIZE');
    expect(err.message).toBe('DB_POOL_SIZE: must be an integer >= 1');
    expect(String(err)).toBe('ConfigError: DB_POOL_SIZE: must be an integer >= 1');
  });
});

describe('parseDatabaseUrl: SQLite', () => {
  it('sqlite:///rel/path.db is relative to the working directory', () => {
    expect(sqlite('sqlite:///rel/path.db')).toEqual({
      driver: 'sqlite',
      url: 'sqlite:///rel/path.db',
      maskedUrl: 'sqlite:///rel/path.db',
      source: 'argument',
      path: path.join(cwd, 'rel', 'path.db'),
      inMemory: false,
      ...SQLITE_DEFAULTS,
    });
  });

  it('sqlite:////abs/path.db is absolute', () => {
    const config = sqlite('sqlite:////abs/path.db');
    expect(config.path).toBe('/abs/path.db');
    expect(config.inMemory).toBe(false);
  });

  it.each(['sqlite://', 'sqlite:///', 'sqlite:///:memory:', 'sqlite+pysqlite://', 'sqlite+pysqlite:///:memory:'])(
    '%s is an in-memory database',
    (url) => {
      expect(sqlite(url)).toEqual({
        driver: 'sqlite',
        url,
        maskedUrl: url,
        source: 'argument',
        path: ':memory:',
        inMemory: true,
        ...SQLITE_DEFAULTS,
      });
    },
  );

  it('ignores the +driver suffix', () => {
    expect(sqlite('sqlite+pysqlite:///rel/path.db').path).toBe(path.join(cwd, 'rel', 'path.db'));
    expect(sqlite('sqlite+pysqlite:////abs/path.db').path).toBe('/abs/path.db');
  });

  it('percent-decodes the path', () => {
    expect(sqlite('sqlite:////srv/my%20data/db%231%3F.db').path).toBe('/srv/my data/db#1?.db');
    expect(sqlite('sqlite:///a%40b/c.db').path).toBe(path.join(cwd, 'a@b', 'c.db'));
  });

  it('keeps an unencoded @ in the path', () => {
    expect(sqlite('sqlite:////srv/x@y/t.db').path).toBe('/srv/x@y/t.db');
  });

  it('?timeout= sets the busy timeout in seconds and beats DB_SQLITE_BUSY_TIMEOUT', () => {
    expect(sqlite('sqlite:///t.db?timeout=2.5').busyTimeoutMs).toBe(2500);
    expect(sqlite('sqlite:///t.db?timeout=2', { DB_SQLITE_BUSY_TIMEOUT: '7' }).busyTimeoutMs).toBe(2000);
    expect(sqlite('sqlite:///:memory:?timeout=0').busyTimeoutMs).toBe(0);
  });

  it('reads the SQLite environment settings', () => {
    const config = sqlite('sqlite:///t.db', {
      DB_SQLITE_BUSY_TIMEOUT: '7',
      DB_SQLITE_JOURNAL_MODE: 'delete',
      DB_SQLITE_SYNCHRONOUS: 'Normal',
    });
    expect(config.busyTimeoutMs).toBe(7000);
    expect(config.journalMode).toBe('DELETE');
    expect(config.synchronous).toBe('NORMAL');
    expect(sqlite('sqlite:///t.db', { DB_SQLITE_BUSY_TIMEOUT: '0.25' }).busyTimeoutMs).toBe(250);
    for (const mode of ['DELETE', 'TRUNCATE', 'PERSIST', 'WAL'] as const) {
      expect(sqlite('sqlite:///t.db', { DB_SQLITE_JOURNAL_MODE: mode.toLowerCase() }).journalMode).toBe(mode);
    }
    for (const mode of ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const) {
      expect(sqlite('sqlite:///t.db', { DB_SQLITE_SYNCHRONOUS: mode }).synchronous).toBe(mode);
    }
  });

  it('treats empty environment values as unset', () => {
    const config = sqlite('sqlite:///t.db', {
      DB_SQLITE_BUSY_TIMEOUT: '',
      DB_SQLITE_JOURNAL_MODE: ' ',
      DB_SQLITE_SYNCHRONOUS: '',
    });
    expect(config).toMatchObject(SQLITE_DEFAULTS);
  });

  it('rejects bad SQLite environment values, naming the variable', () => {
    for (const bad of ['abc', '-1', '1e3', '5s']) {
      expectConfigError(
        () => sqlite('sqlite:///t.db', { DB_SQLITE_BUSY_TIMEOUT: bad }),
        'DB_SQLITE_BUSY_TIMEOUT',
        'non-negative number of seconds',
        `'${bad}'`,
      );
    }
    expectConfigError(
      () => sqlite('sqlite:///t.db', { DB_SQLITE_JOURNAL_MODE: 'memory' }),
      'DB_SQLITE_JOURNAL_MODE',
      'DELETE, TRUNCATE, PERSIST, WAL',
      "'memory'",
    );
    expectConfigError(
      () => sqlite('sqlite:///t.db', { DB_SQLITE_SYNCHRONOUS: 'fast' }),
      'DB_SQLITE_SYNCHRONOUS',
      'OFF, NORMAL, FULL, EXTRA',
      "'fast'",
    );
  });

  it('rejects query options other than timeout', () => {
    expectConfigError(() => sqlite('sqlite:///t.db?mode=ro'), 'DATABASE_URL', "'mode'", 'timeout');
    expectConfigError(() => sqlite('sqlite:///t.db?sslmode=require'), 'DATABASE_URL', "'sslmode'", 'timeout');
  });

  it('rejects a bad timeout option', () => {
    expectConfigError(() => sqlite('sqlite:///t.db?timeout=soon'), 'DATABASE_URL', 'timeout', "'soon'");
    expectConfigError(() => sqlite('sqlite:///t.db?timeout=-3'), 'DATABASE_URL', 'timeout', "'-3'");
  });

  it('rejects host, port or user in a SQLite URL', () => {
    for (const url of ['sqlite://host/t.db', 'sqlite://host:1/t.db', 'sqlite://me@/t.db']) {
      expectConfigError(() => sqlite(url), 'DATABASE_URL', 'no user, password, host or port', 'sqlite:///');
    }
  });

  it('ignores PostgreSQL pool variables', () => {
    expect(sqlite('sqlite:///t.db', { DB_POOL_SIZE: 'abc' }).path).toBe(path.join(cwd, 't.db'));
  });
});

describe('parseDatabaseUrl: PostgreSQL', () => {
  const full: Omit<PostgresConfig, 'maskedUrl' | 'password'> = {
    driver: 'postgres',
    source: 'argument',
    host: 'db.example.com',
    port: 6543,
    database: 'trinity',
    user: 'alice',
    ssl: false,
    applicationName: 'trinity-db',
    connectTimeoutMs: 10_000,
    ...TIMEOUT_DEFAULTS,
    pool: POOL_DEFAULTS,
  };

  it.each([
    'postgresql://alice:pw@db.example.com:6543/trinity',
    'postgres://alice:pw@db.example.com:6543/trinity',
    'postgresql+psycopg2://alice:pw@db.example.com:6543/trinity',
    'postgresql+asyncpg://alice:pw@db.example.com:6543/trinity',
    'postgresql+pg8000://alice:pw@db.example.com:6543/trinity',
  ])('parses %s', (url) => {
    const config = postgres(url);
    expect(config).toEqual({ ...full, maskedUrl: url.replace(':pw@', ':***@') });
    expect(config.password).toBe('pw');
  });

  it('defaults host to localhost and port to 5432', () => {
    const config = postgres('postgresql:///trinity');
    expect(config).toEqual({
      ...full,
      maskedUrl: 'postgresql:///trinity',
      host: 'localhost',
      port: 5432,
      user: undefined,
    });
    expect('user' in config).toBe(false);
    expect(config.password).toBeUndefined();
    expect(postgres('postgresql://dbhost/trinity')).toMatchObject({ host: 'dbhost', port: 5432 });
    expect(postgres('postgresql://dbhost:/trinity')).toMatchObject({ host: 'dbhost', port: 5432 });
  });

  it('accepts a user without password and a password without user', () => {
    const userOnly = postgres('postgresql://bob@h/d');
    expect(userOnly.user).toBe('bob');
    expect(userOnly.password).toBeUndefined();
    const passwordOnly = postgres('postgresql://:pw@h/d');
    expect(passwordOnly.user).toBeUndefined();
    expect(passwordOnly.password).toBe('pw');
  });

  it('percent-decodes user, password, host and database', () => {
    const config = postgres('postgresql://us%40er:p%40ss%2Fw%3Ard%25@h%2Dx/my%20db');
    expect(config.user).toBe('us@er');
    expect(config.password).toBe('p@ss/w:rd%');
    expect(config.host).toBe('h-x');
    expect(config.database).toBe('my db');
    expect(postgres('postgresql://%2Fvar%2Frun%2Fpostgresql/d').host).toBe('/var/run/postgresql');
  });

  it('takes the password up to the last @ when it contains an unencoded @', () => {
    const config = postgres('postgresql://u:p@ss@h:5433/d');
    expect(config).toMatchObject({ user: 'u', host: 'h', port: 5433, database: 'd' });
    expect(config.password).toBe('p@ss');
  });

  it('takes a password with an unencoded / or ? when the standard reading makes no sense', () => {
    expect(postgres('postgresql://u:p/ss@h/d').password).toBe('p/ss');
    expect(postgres('postgresql://u:12/ss@h/d').password).toBe('12/ss');
    expect(postgres('postgresql://u:p?ss@h/d').password).toBe('p?ss');
    expect(postgres('postgresql://u:p/ss@h/d')).toMatchObject({ user: 'u', host: 'h', database: 'd' });
  });

  it('keeps an @ in a query value', () => {
    const config = postgres('postgresql://h:5432/d?application_name=me@work');
    expect(config).toMatchObject({ host: 'h', port: 5432, database: 'd', applicationName: 'me@work' });
    expect(config.password).toBeUndefined();
  });

  it('parses an IPv6 host', () => {
    expect(postgres('postgresql://u@[::1]:5433/d')).toMatchObject({ host: '::1', port: 5433 });
    expect(postgres('postgresql://[2001:db8::7]/d')).toMatchObject({ host: '2001:db8::7', port: 5432 });
  });

  it('keeps the database path verbatim after the first slash', () => {
    expect(postgres('postgresql://h/a/b').database).toBe('a/b');
  });

  it.each([
    ['disable', false],
    ['allow', false],
    ['prefer', false],
    ['require', { rejectUnauthorized: false }],
    ['verify-ca', verifiesChainOnly],
    ['verify-full', { rejectUnauthorized: true }],
  ] as const)('maps sslmode=%s', (mode, ssl) => {
    const config = postgres(`postgresql://h/d?sslmode=${mode}`);
    expect(config.sslmode).toBe(mode);
    expect(config.ssl).toEqual(ssl);
  });

  it('verify-ca checks the chain but not the host name; verify-full checks both (libpq)', () => {
    const chainOnly = postgres('postgresql://h/d?sslmode=verify-ca').ssl as Exclude<PostgresConfig['ssl'], false>;
    // Node calls checkServerIdentity(host, certificate) after verifying the chain; undefined accepts the name.
    expect(chainOnly.checkServerIdentity!('db.example.com', { subject: { CN: 'other.example.com' } })).toBeUndefined();
    expect('checkServerIdentity' in (postgres('postgresql://h/d?sslmode=verify-full').ssl as object)).toBe(false);
  });

  it('sslrootcert=system uses the system CAs, defaults to verify-full and refuses weaker modes (libpq 16)', () => {
    const config = postgres('postgresql://h/d?sslrootcert=system');
    expect(config.sslmode).toBe('verify-full');
    expect(config.ssl).toEqual({ rejectUnauthorized: true });
    expect(postgres('postgresql://h/d?sslmode=verify-full&sslrootcert=system').ssl).toEqual({ rejectUnauthorized: true });
    for (const mode of ['require', 'verify-ca', 'disable']) {
      expectConfigError(() => postgres(`postgresql://h/d?sslmode=${mode}&sslrootcert=system`), 'DATABASE_URL', 'sslrootcert=system requires sslmode=verify-full', `sslmode=${mode}`);
    }
  });

  it('leaves sslmode unset and TLS off without the option', () => {
    const config = postgres('postgresql://h/d');
    expect('sslmode' in config).toBe(false);
    expect(config.ssl).toBe(false);
  });

  describe('certificate files', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trinity-config-certs-'));
      fs.writeFileSync(path.join(dir, 'ca.pem'), 'CA-CONTENT');
      fs.writeFileSync(path.join(dir, 'client.crt'), 'CERT-CONTENT');
      fs.writeFileSync(path.join(dir, 'client.key'), 'PRIVATE-KEY-CONTENT');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads sslrootcert, sslcert and sslkey', () => {
      const q = `sslrootcert=${path.join(dir, 'ca.pem')}&sslcert=${path.join(dir, 'client.crt')}&sslkey=${path.join(dir, 'client.key')}`;
      const config = postgres(`postgresql://h/d?sslmode=verify-full&${q}`);
      const ssl = config.ssl as Exclude<PostgresConfig['ssl'], false>;
      expect(ssl.rejectUnauthorized).toBe(true);
      expect(ssl.ca).toBe('CA-CONTENT');
      expect(ssl.cert).toBe('CERT-CONTENT');
      expect(ssl.key).toBe('PRIVATE-KEY-CONTENT');
      // the private key is hidden like the password
      expect(JSON.stringify(config)).not.toContain('PRIVATE-KEY-CONTENT');
      expect(util.inspect(config, { depth: 5 })).not.toContain('PRIVATE-KEY-CONTENT');

      // libpq: require with a root certificate verifies the chain, as verify-ca does.
      const required = postgres(`postgresql://h/d?sslmode=require&${q}`).ssl;
      expect(required).toMatchObject({ rejectUnauthorized: true, ca: 'CA-CONTENT', cert: 'CERT-CONTENT', checkServerIdentity: expect.any(Function) });
      const unverified = postgres(`postgresql://h/d?sslmode=require&sslcert=${path.join(dir, 'client.crt')}&sslkey=${path.join(dir, 'client.key')}`).ssl;
      expect(unverified).toMatchObject({ rejectUnauthorized: false, cert: 'CERT-CONTENT' });
    });

    it('refuses sslcert without sslkey and the reverse', () => {
      expectConfigError(() => postgres(`postgresql://h/d?sslmode=require&sslcert=${path.join(dir, 'client.crt')}`), 'DATABASE_URL', 'sslcert and sslkey go together', 'only sslcert');
      expectConfigError(() => postgres(`postgresql://h/d?sslmode=require&sslkey=${path.join(dir, 'client.key')}`), 'DATABASE_URL', 'only sslkey');
    });

    it('percent-decodes file paths', () => {
      fs.writeFileSync(path.join(dir, 'my ca.pem'), 'SPACED-CA');
      const encoded = encodeURIComponent(path.join(dir, 'my ca.pem'));
      expect(postgres(`postgresql://h/d?sslmode=verify-ca&sslrootcert=${encoded}`).ssl).toEqual({ ...verifiesChainOnly, ca: 'SPACED-CA' });
    });

    it('names DATABASE_URL when a file is unreadable', () => {
      for (const option of ['sslrootcert', 'sslcert', 'sslkey']) {
        const missing = path.join(dir, `missing-${option}.pem`);
        const pair = option === 'sslcert' ? `&sslkey=${path.join(dir, 'client.key')}` : option === 'sslkey' ? `&sslcert=${path.join(dir, 'client.crt')}` : '';
        expectConfigError(
          () => postgres(`postgresql://h/d?sslmode=require&${option}=${missing}${pair}`),
          'DATABASE_URL',
          `cannot read ${option} file '${missing}'`,
          'ENOENT',
        );
      }
    });
  });

  it('supports connect_timeout, application_name, host and port query options', () => {
    const config = postgres(
      'postgresql://u@ignored:1/d?connect_timeout=3&application_name=my+app%21&host=%2Fvar%2Frun%2Fpostgresql&port=6000',
      { DB_CONNECT_TIMEOUT: '20' },
    );
    expect(config).toMatchObject({
      host: '/var/run/postgresql',
      port: 6000,
      connectTimeoutMs: 3000,
      applicationName: 'my app!',
    });
    expect(postgres('postgresql:///d?host=/tmp/sockets').host).toBe('/tmp/sockets');
    expect(postgres('postgresql://h/d?connect_timeout=1.5').connectTimeoutMs).toBe(1500);
    expect(postgres('postgresql://h/d?&&sslmode=disable&').sslmode).toBe('disable');
  });

  it('reads pool and timeout settings from the environment', () => {
    const config = postgres('postgresql://h/d', {
      DB_POOL_SIZE: '3',
      DB_POOL_MAX_OVERFLOW: '0',
      DB_POOL_TIMEOUT: '1.5',
      DB_POOL_IDLE_TIMEOUT: '60',
      DB_CONNECT_TIMEOUT: '2',
      DB_STATEMENT_TIMEOUT: '0.25',
    });
    expect(config.pool).toEqual({ size: 3, maxOverflow: 0, max: 3, min: 0, acquireTimeoutMs: 1500, idleTimeoutMs: 60_000 });
    expect(config.connectTimeoutMs).toBe(2000);
    expect(config.statementTimeoutMs).toBe(250);
    expect(postgres('postgresql://h/d', { DB_LOCK_TIMEOUT: '2', DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: '0' })).toMatchObject({
      lockTimeoutMs: 2000,
      idleInTransactionTimeoutMs: 0,
    });
    expect(postgres('postgresql://h/d', { DB_POOL_SIZE: '20', DB_POOL_MAX_OVERFLOW: '7' }).pool).toMatchObject({
      size: 20,
      maxOverflow: 7,
      max: 27,
    });
  });

  it('uses the pool defaults for unset or empty variables', () => {
    const config = postgres('postgresql://h/d', { DB_POOL_SIZE: '', DB_STATEMENT_TIMEOUT: '  ' });
    expect(config.pool).toEqual(POOL_DEFAULTS);
    expect(config.connectTimeoutMs).toBe(10_000);
    expect(config).toMatchObject(TIMEOUT_DEFAULTS);
  });

  it('takes timeouts as URL options in PostgreSQL\'s spelling (a bare number is milliseconds), over the variables', () => {
    const config = postgres('postgresql://h/d?statement_timeout=1500&lock_timeout=2s&idle_in_transaction_session_timeout=1.5min', {
      DB_STATEMENT_TIMEOUT: '9',
      DB_LOCK_TIMEOUT: '9',
      DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: '9',
    });
    expect(config).toMatchObject({ statementTimeoutMs: 1500, lockTimeoutMs: 2000, idleInTransactionTimeoutMs: 90_000 });
    expect(postgres('postgresql://h/d?statement_timeout=0').statementTimeoutMs).toBe(0);
    expect(postgres('postgresql://h/d?lock_timeout=250ms').lockTimeoutMs).toBe(250);
    expect(postgres('postgresql://h/d?lock_timeout=1h').lockTimeoutMs).toBe(3_600_000);
    for (const bad of ['soon', '-1', '5 weeks', '1e3', '30sec', '99999999999']) {
      expectConfigError(() => postgres(`postgresql://h/d?statement_timeout=${encodeURIComponent(bad)}`), 'DATABASE_URL', "query option 'statement_timeout'", 'duration', `'${bad}'`);
    }
  });

  it('takes a schema from ?schema= or DB_SCHEMA (the URL wins), verbatim', () => {
    expect('schema' in postgres('postgresql://h/d')).toBe(false);
    expect(postgres('postgresql://h/d?schema=trinity').schema).toBe('trinity');
    expect(postgres('postgresql://h/d', { DB_SCHEMA: 'tenant_a' }).schema).toBe('tenant_a');
    expect(postgres('postgresql://h/d?schema=Tenant_A', { DB_SCHEMA: 'tenant_a' }).schema).toBe('Tenant_A');
    expect(postgres('postgresql://h/d?schema=mandant_%C3%BC%24').schema).toBe('mandant_ü$');
    for (const bad of ['a.b', 'we"ird', 'two words', '1st', 'semi;colon']) {
      expectConfigError(() => postgres(`postgresql://h/d?schema=${encodeURIComponent(bad)}`), 'DATABASE_URL', `schema '${bad}' may only hold letters, digits, _ and $`);
    }
    expect(postgres('postgresql://h/d', { DB_SCHEMA: '  ' })).not.toHaveProperty('schema');
    expectConfigError(() => postgres('postgresql://h/d?schema=pg_trinity'), 'DATABASE_URL', "schema 'pg_trinity' is reserved");
    expectConfigError(() => postgres('postgresql://h/d?schema=information_schema'), 'DATABASE_URL', 'is reserved');
    expectConfigError(() => postgres(`postgresql://h/d?schema=${'s'.repeat(64)}`), 'DATABASE_URL', 'longer than 63 bytes');
    expectConfigError(() => postgres('postgresql://h/d?schema='), 'DATABASE_URL', 'is empty');
    expectConfigError(() => postgres('postgresql://h/d', { DB_SCHEMA: 'pg_catalog' }), 'DB_SCHEMA', 'is reserved');
    expectConfigError(() => sqlite('sqlite:///t.db?schema=trinity'), 'DATABASE_URL', "unsupported query option 'schema'");
  });

  it('refuses startup options, saying what to use instead', () => {
    expectConfigError(
      () => postgres('postgresql://h/d?options=-c%20search_path%3Dtrinity'),
      'DATABASE_URL',
      "unsupported query option 'options'",
      'transaction pooler',
      'schema=',
      'statement_timeout=',
    );
  });

  it.each([
    ['DB_POOL_SIZE', '0', 'integer >= 1'],
    ['DB_POOL_SIZE', 'abc', 'integer >= 1'],
    ['DB_POOL_SIZE', '1.5', 'integer >= 1'],
    ['DB_POOL_SIZE', '-2', 'integer >= 1'],
    ['DB_POOL_MAX_OVERFLOW', '-1', 'integer >= 0'],
    ['DB_POOL_MAX_OVERFLOW', 'ten', 'integer >= 0'],
    ['DB_POOL_TIMEOUT', 'abc', 'non-negative number of seconds'],
    ['DB_POOL_TIMEOUT', '-1', 'non-negative number of seconds'],
    ['DB_POOL_IDLE_TIMEOUT', '-5', 'non-negative number of seconds'],
    ['DB_CONNECT_TIMEOUT', 'x', 'non-negative number of seconds'],
    ['DB_STATEMENT_TIMEOUT', '1e3', 'non-negative number of seconds'],
    ['DB_LOCK_TIMEOUT', '10s', 'non-negative number of seconds'],
    ['DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT', '-1', 'non-negative number of seconds'],
  ])('rejects %s=%s', (variable, value, expected) => {
    expectConfigError(() => postgres('postgresql://h/d', { [variable]: value }), variable, expected, `'${value}'`);
  });

  it('ignores SQLite variables', () => {
    expect(postgres('postgresql://h/d', { DB_SQLITE_JOURNAL_MODE: 'bogus' }).host).toBe('h');
  });

  it('rejects unknown, duplicate or valueless query options', () => {
    const err = expectConfigError(() => postgres('postgresql://h/d?foo=1'), 'DATABASE_URL', "unsupported query option 'foo'");
    for (const option of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'connect_timeout', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'schema', 'application_name', 'host', 'port']) {
      expect(err.message).toContain(option);
    }
    expectConfigError(() => postgres('postgresql://h/d?timeout=3'), 'DATABASE_URL', "'timeout'");
    expectConfigError(() => postgres('postgresql://h/d?port=1&port=2'), 'DATABASE_URL', "'port' is given more than once");
    expectConfigError(() => postgres('postgresql://h/d?sslmode'), 'DATABASE_URL', "'sslmode' has no value");
  });

  it('rejects a bad sslmode', () => {
    for (const mode of ['bogus', 'REQUIRE', '']) {
      expectConfigError(
        () => postgres(`postgresql://h/d?sslmode=${mode}`),
        'DATABASE_URL',
        'sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full',
        `'${mode}'`,
      );
    }
  });

  it('requires a database', () => {
    for (const url of ['postgresql://u:pw@h', 'postgresql://h/', 'postgresql://h:5432', 'postgresql://', 'postgres://?sslmode=disable']) {
      expectConfigError(() => postgres(url), 'DATABASE_URL', 'database name is missing', 'postgresql://user:password@host:5432/dbname');
    }
  });

  it('rejects a port that is not a number between 1 and 65535', () => {
    for (const port of ['notaport', '0', '65536', '-1', '54x', '1.5']) {
      expectConfigError(
        () => postgres(`postgresql://h:${port}/d`),
        'DATABASE_URL',
        `port must be a number between 1 and 65535, got '${port}'`,
      );
    }
    expectConfigError(() => postgres('postgresql://h/d?port=abc'), 'DATABASE_URL', "got 'abc'");
    expectConfigError(() => postgres('postgresql://[::1]x/d'), 'DATABASE_URL', "got 'x'");
  });

  it('rejects non-numeric connect_timeout', () => {
    expectConfigError(() => postgres('postgresql://h/d?connect_timeout=ten'), 'DATABASE_URL', "'connect_timeout'", "'ten'");
  });

  it('rejects multiple hosts', () => {
    expectConfigError(() => postgres('postgresql://h1,h2/d'), 'DATABASE_URL', "invalid host 'h1,h2'");
  });
});

describe('parseDatabaseUrl: other schemes and garbage', () => {
  it.each(['mysql://u@h/d', 'http://example.com/db', 'mssql+pyodbc://h/d', 'file:///tmp/x.db'])(
    'rejects %s',
    (url) => {
      expectConfigError(() => parseDatabaseUrl(url, {}), 'DATABASE_URL', 'unsupported database', 'sqlite://', 'postgresql://');
    },
  );

  it.each(['garbage', '', '   ', 'sqlite:/t.db', 'postgresql:h/d', '/data/trinity.db'])('rejects %j', (url) => {
    expectConfigError(() => parseDatabaseUrl(url, {}), 'DATABASE_URL', 'is not a database URL', 'expected');
  });

  it('uses the given variable name in messages', () => {
    expectConfigError(() => parseDatabaseUrl('mysql://h/d', {}, 'argument', 'TEST_DB'), 'TEST_DB', 'unsupported database');
  });

  it('trims surrounding whitespace', () => {
    expect(sqlite(' sqlite:////abs/t.db\n').path).toBe('/abs/t.db');
  });
});

describe('resolveDatabaseUrl / loadDatabaseConfig', () => {
  it('defaults to sqlite:///data/trinity.db', () => {
    expect(DEFAULT_DATABASE_URL).toBe('sqlite:///data/trinity.db');
    expect(resolveDatabaseUrl({})).toEqual({ url: DEFAULT_DATABASE_URL, source: 'default', variable: 'DATABASE_URL' });
    expect(loadDatabaseConfig({ DATABASE_URL: '', TRINITY_DB_PATH: '' })).toEqual({
      driver: 'sqlite',
      url: DEFAULT_DATABASE_URL,
      maskedUrl: DEFAULT_DATABASE_URL,
      source: 'default',
      path: path.join(cwd, 'data', 'trinity.db'),
      inMemory: false,
      ...SQLITE_DEFAULTS,
    });
    expect(loadDatabaseConfig({ DATABASE_URL: '  ' }).source).toBe('default');
  });

  it('uses DATABASE_URL when set, over TRINITY_DB_PATH', () => {
    const env = { DATABASE_URL: 'postgresql://u:pw@h/d', TRINITY_DB_PATH: '/srv/t.db' };
    expect(resolveDatabaseUrl(env)).toEqual({ url: 'postgresql://u:pw@h/d', source: 'DATABASE_URL', variable: 'DATABASE_URL' });
    expect(loadDatabaseConfig(env)).toMatchObject({ driver: 'postgres', source: 'DATABASE_URL', host: 'h', database: 'd' });
    expect(loadDatabaseConfig({ DATABASE_URL: 'sqlite:////srv/a.db' })).toMatchObject({ source: 'DATABASE_URL', path: '/srv/a.db' });
  });

  it('falls back to TRINITY_DB_PATH (absolute or relative to cwd)', () => {
    expect(loadDatabaseConfig({ TRINITY_DB_PATH: '/srv/trinity/t.db' })).toMatchObject({
      driver: 'sqlite',
      source: 'TRINITY_DB_PATH',
      path: '/srv/trinity/t.db',
      inMemory: false,
    });
    expect(loadDatabaseConfig({ DATABASE_URL: '', TRINITY_DB_PATH: 'var/t.db' })).toMatchObject({
      source: 'TRINITY_DB_PATH',
      path: path.join(cwd, 'var', 't.db'),
    });
    expect(resolveDatabaseUrl({ TRINITY_DB_PATH: 'var/t.db' })).toEqual({
      url: 'sqlite:///var/t.db',
      source: 'TRINITY_DB_PATH',
      variable: 'TRINITY_DB_PATH',
    });
  });

  it('takes TRINITY_DB_PATH literally, even with URL characters', () => {
    for (const p of ['/srv/a%20b?.db', '/srv/x@y/t.db', '/srv/50%/t.db?timeout=1']) {
      expect(loadDatabaseConfig({ TRINITY_DB_PATH: p })).toMatchObject({ path: p, busyTimeoutMs: 30_000 });
    }
  });

  it('applies the SQLite settings to TRINITY_DB_PATH and names bad variables', () => {
    expect(loadDatabaseConfig({ TRINITY_DB_PATH: '/srv/t.db', DB_SQLITE_JOURNAL_MODE: 'truncate' })).toMatchObject({
      journalMode: 'TRUNCATE',
    });
    expectConfigError(
      () => loadDatabaseConfig({ TRINITY_DB_PATH: '/srv/t.db', DB_SQLITE_BUSY_TIMEOUT: 'x' }),
      'DB_SQLITE_BUSY_TIMEOUT',
    );
  });

  it('names DATABASE_URL for a bad URL', () => {
    expectConfigError(() => loadDatabaseConfig({ DATABASE_URL: 'mysql://h/d' }), 'DATABASE_URL', 'unsupported database');
  });
});

describe('maskUrl', () => {
  it.each([
    'sqlite:///data/trinity.db',
    'sqlite://',
    'sqlite:////srv/x@y/t.db',
    'postgresql://h/d',
    'postgresql://bob@h:5432/d?sslmode=require',
    'postgresql://u:@h/d',
    'postgresql://h:5432/d?application_name=me@work',
    'garbage',
    'no-password@host',
    '',
  ])('leaves %j unchanged', (url) => {
    expect(maskUrl(url)).toBe(url);
  });

  it.each([
    ['postgresql://u:pw@h:1/d?sslmode=require', 'postgresql://u:***@h:1/d?sslmode=require'],
    ['postgresql+asyncpg://u:pw@h/d', 'postgresql+asyncpg://u:***@h/d'],
    ['postgresql://:pw@h/d', 'postgresql://:***@h/d'],
    ['postgresql://u:p%40ss@h/d', 'postgresql://u:***@h/d'],
    ['postgresql://u:p@ss@h/d', 'postgresql://u:***@h/d'],
    ['postgresql://u:p/ss@h/d', 'postgresql://u:***@h/d'],
    ['postgresql://u:p?ss@h/d', 'postgresql://u:***@h/d'],
    ['postgresql://u:pw@h:notaport/d', 'postgresql://u:***@h:notaport/d'],
    ['mysql://u:pw@h/d', 'mysql://u:***@h/d'],
    ['postgresql:/u:pw@h/d', 'postgresql:***@h/d'],
    ['u:pw@h/d', 'u:***@h/d'],
  ])('masks %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });
});

describe('the password never leaks', () => {
  const leaks = (text: string, secrets: string[]) => secrets.filter((s) => text.includes(s));

  function checkConfig(config: DatabaseConfig, url: string, secrets: string[]) {
    expect(leaks(JSON.stringify(config), secrets)).toEqual([]);
    expect(leaks(util.inspect(config, { depth: 5 }), secrets)).toEqual([]);
    expect(leaks(String(config), secrets)).toEqual([]);
    expect(leaks(config.maskedUrl, secrets)).toEqual([]);
    expect(leaks(maskUrl(url), secrets)).toEqual([]);
    expect(Object.keys(config)).not.toContain('password');
  }

  function checkError(fn: () => unknown, url: string, secrets: string[]) {
    const err = catchError(fn) as Error;
    expect(err).toBeInstanceOf(ConfigError);
    for (const text of [err.message, String(err), err.stack ?? '', JSON.stringify(err), util.inspect(err, { depth: 5 }), maskUrl(url)]) {
      expect(leaks(text, secrets)).toEqual([]);
    }
  }

  it.each([
    ['postgresql://alice:Zq7SecretPw@db:5432/app', 'Zq7SecretPw', ['Zq7SecretPw']],
    ['postgres://alice:Zq7%40Secret%2FPw%3A@db/app', 'Zq7@Secret/Pw:', ['Zq7%40Secret%2FPw%3A', 'Zq7@Secret/Pw:', 'Zq7', 'Secret']],
    ['postgresql+asyncpg://alice:Zq7@SecretPw@db/app?sslmode=require', 'Zq7@SecretPw', ['Zq7', 'SecretPw']],
    ['postgresql://alice:Zq7/SecretPw@db/app?application_name=a@b', 'Zq7/SecretPw', ['Zq7', 'SecretPw']],
    ['postgresql://:Zq7SecretPw@db/app', 'Zq7SecretPw', ['Zq7SecretPw']],
  ])('valid URL %s', (url, password, secrets) => {
    const config = parseDatabaseUrl(url, {}) as PostgresConfig;
    expect(config.password).toBe(password);
    checkConfig(config, url, secrets);
    const loaded = loadDatabaseConfig({ DATABASE_URL: url }) as PostgresConfig;
    expect(loaded.password).toBe(password);
    checkConfig(loaded, url, secrets);
  });

  it.each([
    ['postgresql://u:Zq7SecretPw@host:notaport/db', ['Zq7SecretPw']],
    ['postgresql://u:Zq7%2FSecret%40Pw@host:99999/db', ['Zq7%2FSecret%40Pw', 'Zq7/Secret@Pw', 'Zq7']],
    ['mysql://u:Zq7SecretPw@host/db', ['Zq7SecretPw']],
    ['http://u:Zq7SecretPw@host/', ['Zq7SecretPw']],
    ['postgresql:/u:Zq7SecretPw@host/db', ['Zq7SecretPw']],
    ['postgresql:u:Zq7SecretPw@host/db', ['Zq7SecretPw']],
    ['u:Zq7SecretPw@host/db', ['Zq7SecretPw']],
    ['postgresql://u:Zq7SecretPw@host', ['Zq7SecretPw']],
    ['postgresql://u:Zq7SecretPw@host/db?foo=bar', ['Zq7SecretPw']],
    ['postgresql://u:Zq7SecretPw@host/db?sslmode=bogus', ['Zq7SecretPw']],
    ['postgresql://u:Zq7SecretPw@host/db?port=0', ['Zq7SecretPw']],
    ['postgresql://u:Zq7SecretPw@host/db?connect_timeout=x', ['Zq7SecretPw']],
    ['postgresql://u:Zq7SecretPw@host/db?sslmode=require&sslrootcert=/nonexistent/ca.pem', ['Zq7SecretPw']],
    ['postgresql://u:Zq7@Secret@host:bad/db', ['Zq7', 'Secret']],
    ['postgresql://u:Zq7/Secret@host:bad/db', ['Zq7', 'Secret']],
    ['postgresql://u:Zq7?Secret@host:bad/db', ['Zq7', 'Secret']],
    ['sqlite://u:Zq7SecretPw@/t.db', ['Zq7SecretPw']],
  ])('malformed URL %s', (url, secrets) => {
    checkError(() => parseDatabaseUrl(url, {}), url, secrets);
    checkError(() => loadDatabaseConfig({ DATABASE_URL: url }), url, secrets);
  });

  it('does not show the URL in environment variable errors', () => {
    const url = 'postgresql://u:Zq7SecretPw@host/db';
    checkError(() => parseDatabaseUrl(url, { DB_POOL_SIZE: '0' }), url, ['Zq7SecretPw']);
  });
});

describe('ensureSqliteDirectory', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trinity-config-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('creates nested directories', () => {
    const dbPath = path.join(tmp, 'a', 'b', 'c', 'trinity.db');
    const config = sqlite(`sqlite:///${dbPath}`);
    expect(config.path).toBe(dbPath);
    ensureSqliteDirectory(config);
    expect(fs.statSync(path.join(tmp, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(fs.existsSync(dbPath)).toBe(false);
    ensureSqliteDirectory(config); // idempotent
  });

  it('does nothing for an in-memory database', () => {
    expect(() => ensureSqliteDirectory(sqlite('sqlite://'))).not.toThrow();
  });

  it('fails with a ConfigError when a parent is a regular file', () => {
    const file = path.join(tmp, 'plain-file');
    fs.writeFileSync(file, 'x');
    const dir = path.join(file, 'sub');
    expectConfigError(
      () => ensureSqliteDirectory(sqlite(`sqlite:///${path.join(dir, 't.db')}`)),
      'DATABASE_URL',
      `cannot create directory '${dir}'`,
      'ENOTDIR',
    );
    expectConfigError(
      () => ensureSqliteDirectory(loadDatabaseConfig({ TRINITY_DB_PATH: path.join(dir, 't.db') }) as SqliteConfig),
      'TRINITY_DB_PATH',
      `cannot create directory '${dir}'`,
    );
  });
});
