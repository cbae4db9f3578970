/**
 * The `trinity-db` executable as operators use it: --version, exit statuses and --json for scripts,
 * output piped into `head`, errors that say which database (source or target) and which flag or
 * variable, hints for a server that is not running or a database that does not exist, --truncate
 * asked on a terminal and refused without --yes elsewhere, URLs and passwords from the environment,
 * and PostgreSQL stopped in the middle of a copy or a verify.
 */
import { spawn, spawnSync } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';
import path from 'path';
import { cleanupTestDatabases, createPostgresDatabase, scratchDir } from '../support/databases';
import { startPrivatePostgres, type PrivatePostgres } from '../support/reliability-helpers';
import { BIN, LARGEST_FIXTURE, ROOT, SPAWN_TIMEOUT_MS, cliEnv, migratedFixture, pgCounts, runCli, sleep, spawnCli, withPg } from './support/cli';

const BASELINE = 'Baseline1795608000000';
let source: { url: string; path: string };

beforeAll(async () => {
  source = await migratedFixture(LARGEST_FIXTURE);
}, SPAWN_TIMEOUT_MS);
afterAll(cleanupTestDatabases);

/** The lines a failing command wrote to stderr, without progress lines and test-hook lines. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !/^(copied|copying) \S+ \(\d+\/\d+\)|^TRINITY_DB_/.test(line));
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('trinity-db for scripts', () => {
  it('--version prints the package version', async () => {
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    const [long, short] = await Promise.all([runCli(['--version']), runCli(['-V'])]);
    expect(long).toMatchObject({ code: 0, stdout: `trinity-db ${version}\n` });
    expect(short.stdout).toBe(long.stdout);
  });

  it(
    'status exits 0 at the head and 3 with pending migrations; --json gives one document; piped into head it ends quietly',
    async () => {
      const atHead = await runCli(['status', '--url', source.url, '--json']);
      expect(atHead.code).toBe(0);
      const report = JSON.parse(atHead.stdout);
      expect(report).toMatchObject({ driver: 'sqlite', upToDate: true, migrations: { applied: [BASELINE], pending: [] } });
      expect(report.rows.find((r: { table: string }) => r.table === 'users')).toEqual({ table: 'users', rows: 5 });

      const pending = await runCli(['status', '--url', await createPostgresDatabase(), '--json']);
      expect(pending.code).toBe(3);
      expect(JSON.parse(pending.stdout)).toMatchObject({ driver: 'postgres', upToDate: false, migrations: { pending: [BASELINE], unmigrated: true } });

      const failed = await runCli(['status', '--url', 'postgresql://u@127.0.0.1:1/db', '--json']);
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.stdout).error.message).toContain('connection refused');

      // `| head -1`: the reader goes away after one line; the command must not print an EPIPE stack.
      for (let i = 0; i < 3; i++) {
        const errFile = path.join(scratchDir(), 'stderr.txt');
        const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" status --url "${source.url}" 2>"${errFile}" | head -1; exit \${PIPESTATUS[0]}`], {
          env: cliEnv(),
          encoding: 'utf8',
        });
        expect(piped.stdout).toBe('driver:     sqlite\n');
        expect({ stderr: readFileSync(errFile, 'utf8'), code: piped.status }).toEqual({ stderr: '', code: 0 });
      }
    },
    3 * SPAWN_TIMEOUT_MS,
  );

  it(
    'copy and verify --json print their reports as JSON; verify names the differing columns',
    async () => {
      const target = await createPostgresDatabase();
      const copy = await runCli(['copy', '--from', source.url, '--to', target, '--json']);
      expect(copy.code).toBe(0);
      const copied = JSON.parse(copy.stdout);
      expect(copied).toMatchObject({ truncated: false, skipped: [], verify: { ok: true } });
      expect(copied.tables.find((t: { table: string }) => t.table === 'users')).toMatchObject({ copied: 5, skipped: 0 });
      expect(copy.stderr).toContain('copying '); // messages go to stderr with --json

      await withPg(target, (c) => c.query(`UPDATE users SET name = 'changed', role = 'admin' WHERE id = (SELECT MIN(id) FROM users WHERE role <> 'admin')`));
      const verify = await runCli(['verify', '--from', source.url, '--to', target, '--json']);
      expect(verify.code).toBe(1);
      const report = JSON.parse(verify.stdout);
      expect(report.differing).toEqual(['users']);
      const [difference] = report.tables.find((t: { table: string }) => t.table === 'users').differences;
      expect(difference).toMatchObject({ key: expect.stringMatching(/^id=\d+$/), kind: 'differs' });
      expect([...difference.columns].sort()).toEqual(['name', 'role']);
      const text = await runCli(['verify', '--from', source.url, '--to', target]);
      expect(text.stdout).toMatch(new RegExp(`^users .*${difference.key} \\(differs: ${difference.columns.join(', ')}\\)`, 'm'));
    },
    3 * SPAWN_TIMEOUT_MS,
  );
});

describe('trinity-db errors', () => {
  it(
    'name the variable or flag that gave the URL, and whether it is the source or the target',
    async () => {
      const corrupt = path.join(scratchDir(), 'corrupt.db');
      const bytes = readFileSync(source.path);
      bytes.fill(0x5a, 4096); // every page after the first (the schema) is garbage
      writeFileSync(corrupt, bytes);
      const notSqlite = path.join(scratchDir(), 'notes.txt');
      writeFileSync(notSqlite, 'this is not a database, just a long enough text file '.repeat(4));
      const pg = await createPostgresDatabase();

      const [variable, legacyPath, target, targetVariable, damaged, notDb] = await Promise.all([
        runCli(['status'], { DATABASE_URL: 'postgress://u:pw-1@db/trinity' }),
        runCli(['status'], { TRINITY_DB_PATH: '/nonexistent/trinity.db' }),
        runCli(['copy', '--from', source.url, '--to', 'postgress://u:pw-2@db/trinity']),
        runCli(['verify', '--from', source.url], { TRINITY_DB_TARGET_URL: 'postgresql://u:pw-3@db/trinity?sslmode=sometimes' }),
        runCli(['verify', '--from', `sqlite:///${corrupt}`, '--to', pg]),
        runCli(['copy', '--from', `sqlite:///${notSqlite}`, '--to', pg]),
      ]);
      expect(variable).toMatchObject({ code: 2, stderr: expect.stringMatching(/^trinity-db status: DATABASE_URL: unsupported database 'postgress'/) });
      expect(variable.stderr).not.toContain('--url');
      expect(legacyPath.code).toBe(1);
      expect(legacyPath.stderr).toContain('sqlite:////nonexistent/trinity.db (TRINITY_DB_PATH): the SQLite file does not exist');
      expect(target.code).toBe(2);
      expect(target.stderr).toContain("trinity-db copy: the target URL (--to): unsupported database 'postgress'");
      expect(targetVariable.code).toBe(2);
      expect(targetVariable.stderr).toContain('the target URL (TRINITY_DB_TARGET_URL): sslmode must be one of');
      expect(damaged.code).toBe(1);
      expect(damaged.stderr).toContain(`the source sqlite:///${corrupt} (--from): the file is damaged or not a SQLite database`);
      expect(notDb.code).toBe(1);
      expect(notDb.stderr).toContain(`the source sqlite:///${notSqlite} (--from): the file is not a SQLite database`);
      for (const result of [variable, legacyPath, target, targetVariable, damaged, notDb]) {
        expect(errorLines(result.stderr)).toHaveLength(1);
        expect(result.stderr).not.toMatch(/pw-\d/);
        expect(result.stderr).not.toMatch(/^\s+at /m); // no stack
      }
      expect(Object.values(await pgCounts(pg))).toEqual([]); // the target was never touched
    },
    2 * SPAWN_TIMEOUT_MS,
  );

  it(
    'a server that is not running and a database that does not exist get one line with a hint',
    async () => {
      const missingDb = new URL(await createPostgresDatabase());
      missingDb.pathname = '/no_such_database';
      const [refused, copyRefused, missing] = await Promise.all([
        runCli(['status', '--url', 'postgresql://trinity:pw-4@127.0.0.1:1/trinity']),
        runCli(['copy', '--from', source.url, '--to', 'postgresql://trinity:pw-5@127.0.0.1:1/trinity']),
        runCli(['check', '--url', missingDb.toString()]),
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('trinity-db status: postgresql://trinity:***@127.0.0.1:1/trinity (--url): connection refused at 127.0.0.1:1');
      expect(refused.stderr).toContain('is the PostgreSQL server running');
      expect(occurrences(refused.stderr, 'postgresql://')).toBe(1);
      expect(copyRefused.stderr).toContain('trinity-db copy: the target postgresql://trinity:***@127.0.0.1:1/trinity (--to): connection refused');
      expect(copyRefused.stderr).toContain('the target was left unchanged');
      expect(occurrences(copyRefused.stderr, 'postgresql://')).toBe(1);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('database "no_such_database" does not exist (3D000): create it first, e.g. `createdb');
      for (const result of [refused, copyRefused, missing]) {
        expect(errorLines(result.stderr)).toHaveLength(1);
        expect(result.stderr).not.toMatch(/pw-\d/);
      }
    },
    2 * SPAWN_TIMEOUT_MS,
  );
});

describe('trinity-db copy --truncate and secrets from the environment', () => {
  /** Runs the command on a pseudo-terminal (util-linux `script`), typing `answer` at its question. */
  function onTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!answered && output.includes('Continue? [y/N]')) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  it(
    '--truncate asks on a terminal; "n" changes nothing, "y" replaces the target',
    async () => {
      const target = await createPostgresDatabase();
      expect((await runCli(['copy', '--from', source.url, '--to', target])).code).toBe(0);
      await withPg(target, (c) => c.query(`INSERT INTO system_settings (key, value, updated_at) VALUES ('only-in-target', 'x', now())`));
      const before = await pgCounts(target);

      const no = await onTerminal(['copy', '--from', source.url, '--to', target, '--truncate'], 'n');
      expect(no.output).toContain('is not empty: ');
      expect(no.output).toContain('--truncate empties all 43 application tables');
      expect(no.code).toBe(1);
      expect(no.output).toContain('not confirmed: nothing was changed');
      expect(await pgCounts(target)).toEqual(before);

      const yes = await onTerminal(['copy', '--from', source.url, '--to', target, '--truncate'], 'y');
      expect(yes.code).toBe(0);
      expect(yes.output).toContain('verify: OK');
      expect((await pgCounts(target)).system_settings).toBe(before.system_settings - 1);
    },
    4 * SPAWN_TIMEOUT_MS,
  );

  it(
    'the target URL comes from TRINITY_DB_TARGET_URL, or its password from PGPASSWORD; neither is printed',
    async () => {
      const target = await createPostgresDatabase();
      const password = decodeURIComponent(new URL(target).password);
      expect(password).not.toBe('');
      const fromVariable = await runCli(['copy', '--from', source.url], { TRINITY_DB_TARGET_URL: target });
      expect(fromVariable.code).toBe(0);
      expect(fromVariable.stdout).toContain('verify: OK');

      const withoutPassword = new URL(target);
      withoutPassword.password = '';
      const verify = await runCli(['verify', '--from', source.url, '--to', withoutPassword.toString()], { PGPASSWORD: password });
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('verify: OK');
      for (const result of [fromVariable, verify]) expect(result.stdout + result.stderr).not.toContain(password);
    },
    3 * SPAWN_TIMEOUT_MS,
  );
});

describe('PostgreSQL stopped in the middle of a run', () => {
  let server: PrivatePostgres;
  let target: string;

  beforeAll(async () => {
    server = await startPrivatePostgres('stop-mid-run-pw');
    await withPg(server.url, (c) => c.query('CREATE DATABASE trinity_stop'));
    target = server.url.replace(/\/postgres$/, '/trinity_stop');
    expect((await runCli(['migrate', '--url', target])).code).toBe(0); // so copy itself changes nothing before its transaction
  }, 3 * SPAWN_TIMEOUT_MS);
  afterAll(async () => server?.dispose());

  /** Waits until the command has a session on the private server that is inside its transaction. */
  async function untilInTransaction(): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const n = await withPg(server.url, async (c) =>
        Number((await c.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'trinity-db cli' AND state LIKE 'idle in transaction%'`)).rows[0].n),
      );
      if (n > 0) return;
      await sleep(100);
    }
    throw new Error('the command never opened its transaction on the private server');
  }

  it(
    'copy: one line naming the target, saying it was left unchanged (exit 1); the target is still empty',
    async () => {
      const run = spawnCli(['copy', '--from', source.url, '--to', target], { TRINITY_DB_COPY_TEST_BATCH_DELAY_MS: '1000' });
      await untilInTransaction();
      await server.stop();
      const result = await run.result;
      await server.start();
      expect(result.code).toBe(1);
      const lines = errorLines(result.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^trinity-db copy: the target postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/trinity_stop \(--to\): /);
      expect(lines[0]).toContain('the target was left unchanged');
      expect(result.stderr).not.toContain('stop-mid-run-pw');
      expect(result.stderr).not.toMatch(/Unhandled|^\s+at /m);
      expect(Object.values(await pgCounts(target)).every((n) => n === 0)).toBe(true);
    },
    3 * SPAWN_TIMEOUT_MS,
  );

  it(
    'verify: one line naming the target, saying nothing was changed (exit 1)',
    async () => {
      expect((await runCli(['copy', '--from', source.url, '--to', target])).code).toBe(0);
      const run = spawnCli(['verify', '--from', source.url, '--to', target], { TRINITY_DB_TEST_READ_DELAY_MS: '300' });
      await untilInTransaction();
      await sleep(500);
      await server.stop();
      const result = await run.result;
      await server.start();
      expect(result.code).toBe(1);
      const lines = errorLines(result.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^trinity-db verify: the target postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/trinity_stop \(--to\): /);
      expect(lines[0]).toContain('both databases were left unchanged');
      expect(result.stderr).not.toMatch(/Unhandled|^\s+at /m);
      expect((await runCli(['verify', '--from', source.url, '--to', target])).code).toBe(0);
    },
    3 * SPAWN_TIMEOUT_MS,
  );
});
