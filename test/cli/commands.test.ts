/**
 * The `trinity-db` executable, spawned for real: --help of every command, usage errors, and
 * migrate + status on both drivers (status shows the masked URL, never the password).
 */
import { maskUrl, parseDatabaseUrl, type PostgresConfig } from '../../src/config';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl, legacyFixtureCopy } from '../support/databases';
import { LARGEST_FIXTURE, SPAWN_TIMEOUT_MS, runCli } from './support/cli';

afterAll(cleanupTestDatabases);

const BASELINE = 'Baseline1795608000000';

describe('trinity-db --help', () => {
  it(
    'prints the overview and the help of every command, with exit status 0',
    async () => {
      const [top, migrate, status, copy, verify, helpCopy] = await Promise.all([
        runCli(['--help']),
        runCli(['migrate', '--help']),
        runCli(['status', '--help']),
        runCli(['copy', '--help']),
        runCli(['verify', '-h']),
        runCli(['help', 'copy']),
      ]);
      for (const result of [top, migrate, status, copy, verify, helpCopy]) expect(result.code).toBe(0);
      for (const command of ['migrate', 'revert', 'status', 'check', 'copy', 'verify']) expect(top.stdout).toContain(command);
      expect(migrate.stdout).toContain('Usage: trinity-db migrate [--url URL]');
      expect(status.stdout).toContain('Usage: trinity-db status [--url URL]');
      expect(copy.stdout).toContain('Usage: trinity-db copy --from SQLITE_URL --to POSTGRES_URL');
      for (const option of ['--truncate', '--skip-invalid', '--batch-size']) expect(copy.stdout).toContain(option);
      expect(verify.stdout).toContain('Usage: trinity-db verify --from URL --to URL');
      expect(helpCopy.stdout).toBe(copy.stdout);
    },
    SPAWN_TIMEOUT_MS,
  );

  it(
    'usage errors exit with status 2 and say what is wrong',
    async () => {
      const [unknownCommand, unknownOption, missingTo, badBatch, noCommand, pgSource] = await Promise.all([
        runCli(['frobnicate']),
        runCli(['status', '--bogus']),
        runCli(['copy', '--from', 'sqlite:///x.db']),
        runCli(['copy', '--from', 'sqlite:///x.db', '--to', 'postgresql://u@h/db', '--batch-size', 'many']),
        runCli([]),
        runCli(['copy', '--from', 'postgresql://u:pw-secret-1@h/db', '--to', 'postgresql://u@h/db']),
      ]);
      expect(unknownCommand).toMatchObject({ code: 2 });
      expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");
      expect(unknownOption.code).toBe(2);
      expect(unknownOption.stderr).toContain("Unknown option '--bogus'");
      expect(missingTo.code).toBe(2);
      expect(missingTo.stderr).toContain('--to is required');
      expect(badBatch.code).toBe(2);
      expect(badBatch.stderr).toContain('--batch-size must be a positive integer');
      expect(noCommand.code).toBe(2);
      expect(noCommand.stdout).toContain('Usage: trinity-db <command>');
      expect(pgSource.code).toBe(2);
      expect(pgSource.stderr).toContain('the source (--from) must be a SQLite URL');
      expect(pgSource.stdout + pgSource.stderr).not.toContain('pw-secret-1');
    },
    SPAWN_TIMEOUT_MS,
  );
});

describe.each(DRIVERS)('trinity-db migrate and status on %s', (driver) => {
  it(
    'status lists the baseline as pending, migrate applies it once, status then lists it as applied with rows per table',
    async () => {
      const url = await emptyDatabaseUrl(driver);
      const password = driver === 'postgres' ? (parseDatabaseUrl(url) as PostgresConfig).password : undefined;
      if (driver === 'postgres') expect(password).toBeTruthy();

      if (driver === 'postgres') {
        const before = await runCli(['status', '--url', url]);
        expect(before.code).toBe(3); // migrations pending
        expect(before.stdout).toContain('driver:     postgres');
        expect(before.stdout).toContain(`[ ] ${BASELINE}`);
        expect(before.stdout).toContain('0 applied, 1 pending');
        expect(before.stdout).toContain('(missing)');
      } else {
        // status never creates a SQLite file
        const before = await runCli(['status', '--url', url]);
        expect(before.code).toBe(1);
        expect(before.stderr).toContain('does not exist');
      }

      const migrate = await runCli(['migrate', '--url', url]);
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toContain(`applied 1 migration(s): ${BASELINE}`);
      const again = await runCli(['migrate'], { DATABASE_URL: url });
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('no migrations are pending');

      const status = await runCli(['status'], { DATABASE_URL: url });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`driver:     ${driver}`);
      expect(status.stdout).toContain(`url:        ${maskUrl(url)}`);
      expect(status.stdout).toContain('1 applied, 0 pending');
      expect(status.stdout).toContain(`[X] ${BASELINE}`);
      expect(status.stdout).toMatch(/^users\s+0$/m);
      expect(status.stdout).toMatch(/^total\s+0$/m);
      for (const output of [migrate, again, status]) {
        if (password) expect(output.stdout + output.stderr).not.toContain(password);
      }
      if (driver === 'postgres') expect(status.stdout).toContain(':***@');
    },
    6 * SPAWN_TIMEOUT_MS,
  );
});

describe('trinity-db migrate on a legacy fixture', () => {
  it(
    'adopts the legacy file; status reports its rows',
    async () => {
      const copy = legacyFixtureCopy(LARGEST_FIXTURE);
      const legacy = await runCli(['status', '--url', copy.url]);
      expect(legacy.code).toBe(3); // never migrated: the baseline is pending
      expect(legacy.stdout).toContain('never migrated by trinity-db');
      const migrate = await runCli(['migrate', '--url', copy.url]);
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toContain('adopted a legacy database');
      const status = await runCli(['status', '--url', copy.url]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^users\s+5$/m);
      expect(status.stdout).toContain('1 applied, 0 pending');
    },
    4 * SPAWN_TIMEOUT_MS,
  );
});
