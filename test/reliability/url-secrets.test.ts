/**
 * Secrets in database URLs: a password planted in each position libpq reads one from (the userinfo,
 * the `password` query option alone or after others, percent-encoded keys, `sslpassword`, and the
 * environment: TRINITY_DB_TARGET_URL, PGPASSWORD) never appears in any output: ConfigError messages,
 * stacks, util.inspect and JSON, parsed configurations, every trinity-db command (success and
 * failure), TypeORM's migration:show, DatabaseManager's health() and logger, and the Nest retry
 * log. The `password` query option is accepted as libpq does: the database is reached with it.
 */
import { inspect } from 'util';
import { ConfigError, maskUrl, parseDatabaseUrl, type PostgresConfig } from '../../src/config';
import { DatabaseManager } from '../../src/manager';
import { openWithRetry } from '../../src/nest';
import { runCli, runTypeormCli, migratedFixture, LARGEST_FIXTURE, SPAWN_TIMEOUT_MS, withPg, type CliResult } from '../cli/support/cli';
import { cleanupTestDatabases } from '../support/databases';

const PASSWORD = 'Url-S3cret-Passw0rd-4711';
const SSL_PASSWORD = 'Ssl-Key-Passphrase-4711';
const SECRETS = [PASSWORD, SSL_PASSWORD, encodeURIComponent(PASSWORD), encodeURIComponent(SSL_PASSWORD)];

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
  await cleanupTestDatabases();
});

/** A role logging in with PASSWORD and its own database on the shared test server; returns host:port and names. */
async function passwordDatabase(): Promise<{ hostPort: string; role: string; database: string }> {
  const admin = new URL(process.env.TRINITY_TEST_PG_ADMIN_URL!);
  const role = `url_secret_${process.pid}`;
  const database = `url_secret_${process.pid}_${Date.now().toString(36)}`;
  await withPg(admin.toString(), async (c) => {
    await c.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
    await c.query(`CREATE DATABASE ${database} OWNER ${role}`);
  });
  cleanup.push(() =>
    withPg(admin.toString(), async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${role}`);
    }),
  );
  return { hostPort: admin.host, role, database };
}

/** The same database with the password in every position. */
function positions(hostPort: string, role: string, database: string): Record<string, string> {
  const base = `postgresql://${role}`;
  return {
    userinfo: `${base}:${PASSWORD}@${hostPort}/${database}`,
    'query password': `${base}@${hostPort}/${database}?password=${PASSWORD}`,
    'query password after another option, userinfo too': `${base}:wrong@${hostPort}/${database}?sslmode=disable&password=${PASSWORD}`,
    'percent-encoded key': `${base}@${hostPort}/${database}?application_name=x&pass%77ord=${PASSWORD}`,
    sslpassword: `${base}:${PASSWORD}@${hostPort}/${database}?sslmode=disable&sslpassword=${SSL_PASSWORD}`,
  };
}

function errorText(error: unknown): string {
  const e = error as { message?: unknown; stack?: unknown };
  return [String(e?.message), String(e?.stack), inspect(error, { depth: 6, showHidden: true }), JSON.stringify(error)].join('\n');
}

function leaks(where: string, text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret)).map((secret) => `${secret} in ${where}`);
}

const output = (r: CliResult) => `${r.stdout}\n${r.stderr}`;

describe('passwords in database URLs', () => {
  it('are masked in every position by maskUrl, and never in ConfigError message, stack, inspect or JSON', () => {
    const found: string[] = [];
    for (const [name, url] of Object.entries(positions('db.example:5432', 'u', 'trinity'))) {
      const masked = maskUrl(url);
      found.push(...leaks(`maskUrl(${name})`, masked));
      expect(masked).toContain('***');
      const config = parseDatabaseUrl(url) as PostgresConfig;
      found.push(...leaks(`parsed config (${name})`, `${inspect(config, { depth: 6 })}\n${JSON.stringify(config)}\n${config.maskedUrl}`));
      const and = url.includes('?') ? '&' : '?';
      for (const broken of [`${url}${and}bogus=1`, `${url}${and}port=notaport`, url.replace('postgresql:', 'postgress:'), `${url}${and}Password=${PASSWORD}`]) {
        let error: unknown;
        try {
          parseDatabaseUrl(broken);
        } catch (e) {
          error = e;
        }
        expect({ name, broken: maskUrl(broken), error: error instanceof ConfigError }).toEqual({ name, broken: maskUrl(broken), error: true });
        found.push(...leaks(`ConfigError (${name}, ${maskUrl(broken)})`, errorText(error)));
      }
    }
    expect(found).toEqual([]);
    // libpq semantics: the query option is the password (and wins over the userinfo).
    const config = positions('h', 'u', 'd');
    expect((parseDatabaseUrl(config['query password']) as PostgresConfig).password).toBe(PASSWORD);
    expect((parseDatabaseUrl(config['query password after another option, userinfo too']) as PostgresConfig).password).toBe(PASSWORD);
    expect((parseDatabaseUrl(config['percent-encoded key']) as PostgresConfig).password).toBe(PASSWORD);
  });

  it(
    'never appear in any command output, health(), the manager logger or the Nest retry log; the query password connects',
    async () => {
      const { hostPort, role, database } = await passwordDatabase();
      const urls = positions(hostPort, role, database);
      const source = await migratedFixture(LARGEST_FIXTURE);
      const found: string[] = [];
      let first = true;
      for (const [name, url] of Object.entries(urls)) {
        const refused = url.replace(hostPort, '127.0.0.1:1');
        const results: Record<string, CliResult> = { migrate: await runCli(['migrate', '--url', url]) };
        const [status, check, show, refusedStatus, refusedCopy, refusedVerify] = await Promise.all([
          runCli(['status', '--url', url, '--json']),
          runCli(['check'], { DATABASE_URL: url }),
          runTypeormCli(['migration:show'], { DATABASE_URL: url }),
          runCli(['status', '--url', refused]),
          runCli(['copy', '--from', source.url, '--to', refused]),
          runCli(['verify', '--from', source.url, '--to', refused, '--json']),
        ]);
        Object.assign(results, { status, check, show, 'status, server not running': refusedStatus, 'copy, server not running': refusedCopy, 'verify --json, server not running': refusedVerify });
        results.copy = await runCli(first ? ['copy', '--from', source.url, '--to', url] : ['copy', '--from', source.url, '--to', url, '--truncate', '--yes']);
        [results.verify, results.revert] = await Promise.all([
          runCli(['verify', '--from', source.url], { TRINITY_DB_TARGET_URL: url }),
          runCli(['revert', '--url', url]),
        ]);
        first = false;
        expect({ name, migrate: results.migrate.code, status: results.status.code, copy: results.copy.code, verify: results.verify.code }).toEqual({
          name,
          migrate: 0,
          status: 0,
          copy: 0,
          verify: 0,
        });
        expect(results['status, server not running'].stderr).toContain('connection refused');
        for (const [command, result] of Object.entries(results)) found.push(...leaks(`${command} (${name})`, output(result)));

        const logged: string[] = [];
        const logger = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };
        const db = await DatabaseManager.open({ url, env: {}, logger });
        const health = await db.health();
        await db.close();
        expect(health.url).toBe(maskUrl(url));
        found.push(...leaks(`health() (${name})`, `${JSON.stringify(health)}\n${inspect(health, { depth: 6 })}`), ...leaks(`manager logger (${name})`, logged.join('\n')));
        const failure = await DatabaseManager.open({ url: refused, env: {}, logger }).catch((e: unknown) => e);
        found.push(...leaks(`open() error (${name})`, errorText(failure)));

        const nest: string[] = [];
        const nestFailure = await openWithRetry({ url: refused, env: {}, retryAttempts: 1, retryDelay: 10 }, { warn: (m: string) => nest.push(m), log: (m: string) => nest.push(m) }).catch(
          (e: unknown) => e,
        );
        expect(nest).toHaveLength(1);
        found.push(...leaks(`Nest retry log (${name})`, nest.join('\n')), ...leaks(`Nest open error (${name})`, errorText(nestFailure)));
      }

      // The password from the environment: TRINITY_DB_TARGET_URL above; PGPASSWORD with a URL without one.
      const bare = `postgresql://${role}@${hostPort}/${database}`;
      const pgpassword = await runCli(['status', '--url', bare], { PGPASSWORD: PASSWORD });
      expect(pgpassword.code).toBe(0);
      found.push(...leaks('status with PGPASSWORD', output(pgpassword)));
      expect(found).toEqual([]);
    },
    20 * SPAWN_TIMEOUT_MS,
  );
});
