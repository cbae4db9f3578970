/**
 * `trinity-db copy` SQLite -> PostgreSQL on every legacy fixture (each migrated to the head first),
 * followed by verify; equal reads on source and copy through TypeORM and the repositories; inserts
 * into every serial-id table after the copy; refusal of a non-empty target; a copy killed half-way;
 * rows that cannot be converted.
 */
import Database from 'better-sqlite3';
import type { ObjectLiteral } from 'typeorm';
import { CopyError, copyDatabase } from '../../src/cli/copy';
import { applicationTables } from '../../src/cli/table-rows';
import { verifyDatabases } from '../../src/cli/verify';
import { createDataSource, type TrinityDataSource } from '../../src/data-source';
import type { ColumnSpec, TableSpec } from '../../src/entity/columns';
import { AgentRepository } from '../../src/repository/agent.repository';
import { ScheduleRepository } from '../../src/repository/schedule.repository';
import { SystemViewRepository } from '../../src/repository/system-view.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { cleanupTestDatabases, createPostgresDatabase } from '../support/databases';
import { repositoryOn } from '../support/repositories';
import { sequences } from '../support/sqlite-snapshot';
import { LARGEST_FIXTURE, SPAWN_TIMEOUT_MS, manifest, migratedFixture, pgCounts, runCli, sha256File, sleep, spawnCli, withPg } from './support/cli';

afterAll(cleanupTestDatabases);

const TABLES = applicationTables();

function sourceCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t.tableName, (db.prepare(`SELECT COUNT(*) AS n FROM "${t.tableName}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

async function open(url: string): Promise<TrinityDataSource> {
  const ds = createDataSource(url);
  await ds.initialize();
  return ds;
}

function orderOf(table: TableSpec): Record<string, 'ASC'> {
  return Object.fromEntries(table.columns.filter((c) => c.primary).map((c) => [c.propertyName, 'ASC' as const]));
}

/** A value for a required column of an insert (unique per call, for UNIQUE columns). */
let unique = 0;
function minimalValue(column: ColumnSpec): unknown {
  unique++;
  switch (column.kind) {
    case 'text':
      return `cli-test-${unique}`;
    case 'int':
    case 'bigint':
    case 'real':
      return 1;
    case 'bool':
      return true;
    case 'timestamp':
      return new Date();
    case 'json':
      return { test: unique };
    default:
      return undefined;
  }
}

describe.each(manifest.files.map((f) => [f.file] as const))('copy of legacy fixture %s', (file) => {
  it('copies every row into a fresh PostgreSQL database, verify passes, the source is unchanged, and serial ids continue', async () => {
    const source = await migratedFixture(file);
    const target = await createPostgresDatabase();
    const expected = sourceCounts(source.path);
    const hashBefore = sha256File(source.path);

    const progress: string[] = [];
    const report = await copyDatabase({ from: source.url, to: target, onProgress: (e) => e.finished && progress.push(e.table) });

    expect(sha256File(source.path)).toBe(hashBefore); // reading the source never writes to it
    expect(report.skipped).toEqual([]);
    expect(Object.fromEntries(report.tables.map((t) => [t.table, t.copied]))).toEqual(expected);
    expect(await pgCounts(target)).toEqual(expected);
    expect(progress).toEqual(TABLES.map((t) => t.tableName));
    expect(report.verify?.ok).toBe(true);
    expect(report.verify?.differing).toEqual([]);
    console.log(`${file}: copied ${report.totalRows} rows in ${report.seconds.toFixed(3)} s (${Math.round(report.rowsPerSecond)} rows/s)`);

    // An insert into every table with a serial id succeeds, with an id above every copied id and
    // above the legacy sqlite_sequence value.
    const legacySequences = sequences(source.path);
    const ds = await open(target);
    try {
      for (const table of TABLES.filter((t) => t.columns.some((c) => c.kind === 'id'))) {
        const row: ObjectLiteral = {};
        for (const column of table.columns) {
          if (column.kind !== 'id' && !column.nullable && column.default === undefined) row[column.propertyName] = minimalValue(column);
        }
        const maxBefore = Number((await ds.query(`SELECT COALESCE(MAX(id), 0) AS m FROM "${table.tableName}"`))[0].m);
        const result = await ds.getRepository(table.target).insert(row);
        const id = Number(result.identifiers[0].id);
        expect({ table: table.tableName, above: id > maxBefore && id > (legacySequences[table.tableName] ?? 0) }).toEqual({
          table: table.tableName,
          above: true,
        });
      }
    } finally {
      await ds.destroy();
    }
  });
});

function sortById<T>(rows: T[]): T[] {
  return [...rows].sort((a, b) => JSON.stringify((a as { id?: unknown }).id ?? a).localeCompare(JSON.stringify((b as { id?: unknown }).id ?? b)));
}

describe(`copy of the largest fixture (${LARGEST_FIXTURE}) through the executable`, () => {
  let source: { url: string; path: string };
  let target: string;

  beforeAll(async () => {
    source = await migratedFixture(LARGEST_FIXTURE);
    target = await createPostgresDatabase();
  });

  it(
    'prints plain progress lines (no terminal), a summary table, the throughput and verify OK, and never the password',
    async () => {
      const result = await runCli(['copy', '--from', source.url, '--to', target]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`copied users (1/${TABLES.length}): 5/5 rows`);
      expect(result.stdout).toMatch(/^table\s+rows copied\s+skipped\s+seconds$/m);
      expect(result.stdout).toMatch(/^users\s+5\s+0\s+\d+\.\d+$/m);
      expect(result.stdout).toContain('verify: OK: 43 tables');
      expect(result.stdout + result.stderr).not.toContain(new URL(target).password);
      const throughput = /copied (\d+) rows .* in ([\d.]+) s \((\d+) rows\/s\)/.exec(result.stdout);
      expect(throughput).not.toBeNull();
      console.log(`copy throughput on ${LARGEST_FIXTURE} (spawned executable): ${throughput![1]} rows in ${throughput![2]} s = ${throughput![3]} rows/s`);
    },
    SPAWN_TIMEOUT_MS,
  );

  it('the same reads return equal results on the SQLite source and the PostgreSQL copy', async () => {
    const sqlite = await open(source.url);
    const pg = await open(target);
    try {
      // Every entity of every table, through TypeORM (booleans, Dates, parsed JSON, numbers).
      for (const table of TABLES) {
        const a = await sqlite.getRepository(table.target).find({ order: orderOf(table) });
        const b = await pg.getRepository(table.target).find({ order: orderOf(table) });
        expect({ table: table.tableName, rows: sortById(b) }).toEqual({ table: table.tableName, rows: sortById(a) });
      }
      // A few repository reads of the API.
      const users = [repositoryOn(sqlite, UserRepository), repositoryOn(pg, UserRepository)];
      expect(sortById(await users[1].listUsers())).toEqual(sortById(await users[0].listUsers()));
      expect(await users[1].getUserByUsername('admin')).toEqual(await users[0].getUserByUsername('admin'));
      const agents = [repositoryOn(sqlite, AgentRepository), repositoryOn(pg, AgentRepository)];
      const names = (await sqlite.query(`SELECT agent_name FROM agent_ownership`)) as { agent_name: string }[];
      expect(names.length).toBeGreaterThan(0);
      for (const { agent_name } of names) expect(await agents[1].getAgentOwner(agent_name)).toEqual(await agents[0].getAgentOwner(agent_name));
      const schedules = [repositoryOn(sqlite, ScheduleRepository), repositoryOn(pg, ScheduleRepository)];
      const sqliteSchedules = sortById(await schedules[0].listAllSchedules());
      expect(sqliteSchedules.length).toBeGreaterThan(0);
      expect(sortById(await schedules[1].listAllSchedules())).toEqual(sqliteSchedules);
      const views = [repositoryOn(sqlite, SystemViewRepository), repositoryOn(pg, SystemViewRepository)];
      expect(sortById(await views[1].listAllViews())).toEqual(sortById(await views[0].listAllViews()));
    } finally {
      await sqlite.destroy();
      await pg.destroy();
    }
  });

  it('microsecond timestamps arrive intact', async () => {
    const db = new Database(source.path, { readonly: true });
    const row = db.prepare(`SELECT id, started_at FROM schedule_executions WHERE started_at LIKE '%.______Z' LIMIT 1`).get() as
      | { id: string; started_at: string }
      | undefined;
    db.close();
    expect(row).toBeDefined();
    const copied = await withPg(target, async (c) =>
      (await c.query(`SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t FROM schedule_executions WHERE id = $1`, [row!.id]))
        .rows[0].t,
    );
    expect(copied).toBe(row!.started_at);
  });

  it(
    'verify detects a value changed on purpose (exit 1, table and key); a non-empty target is refused without --truncate and replaced with it',
    async () => {
      const changed = await withPg(target, async (c) => {
        const { rows } = await c.query(`SELECT id FROM chat_messages ORDER BY id LIMIT 1`);
        await c.query(`UPDATE chat_messages SET content = content || ' (edited)' WHERE id = $1`, [rows[0].id]);
        return rows[0].id as string;
      });
      const report = await verifyDatabases(source.url, target);
      expect(report.ok).toBe(false);
      expect(report.differing).toEqual(['chat_messages']);
      const table = report.tables.find((t) => t.table === 'chat_messages')!;
      expect(table).toMatchObject({ changed: 1, missingInTarget: 0, extraInTarget: 0 });
      expect(table.examples).toEqual([`id=${changed} (differs: content)`]);

      const verify = await runCli(['verify', '--from', source.url, '--to', target]);
      expect(verify.code).toBe(1);
      expect(verify.stdout).toContain('1 table(s) differ');
      expect(verify.stdout).toMatch(new RegExp(`^chat_messages .*id=${changed} \\(differs: content\\)`, 'm'));

      const countsBefore = await pgCounts(target);
      const refused = await runCli(['copy', '--from', source.url, '--to', target]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is not empty');
      expect(refused.stderr).toContain('Nothing was changed. Re-run with --truncate');
      expect(refused.stderr).not.toContain(new URL(target).password);
      expect(await pgCounts(target)).toEqual(countsBefore);
      expect((await verifyDatabases(source.url, target)).differing).toEqual(['chat_messages']); // still the edited value

      // --truncate empties 43 tables: without a terminal to ask on it needs --yes, and changes nothing without it.
      const unconfirmed = await runCli(['copy', '--from', source.url, '--to', target, '--truncate']);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toContain('add --yes to confirm');
      expect(await pgCounts(target)).toEqual(countsBefore);
      const replaced = await runCli(['copy', '--from', source.url, '--to', target, '--truncate', '--yes']);
      expect(replaced.code).toBe(0);
      expect(replaced.stdout).toContain('truncated the target');
      expect(replaced.stdout).toContain('verify: OK');
      expect((await verifyDatabases(source.url, target)).ok).toBe(true);
    },
    4 * SPAWN_TIMEOUT_MS,
  );

  it(
    'a copy killed half-way leaves the target migrated but empty, and a re-run succeeds',
    async () => {
      const fresh = await createPostgresDatabase();
      const { child, result } = spawnCli(['copy', '--from', source.url, '--to', fresh], { TRINITY_DB_COPY_TEST_BATCH_DELAY_MS: '1500' });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      for (let i = 0; i < 600 && !/inserted a batch of \d+ row\(s\) into agent_ownership/.test(stderr); i++) await sleep(100);
      expect(stderr).toMatch(/inserted a batch of 5 row\(s\) into users/);
      // Half-way: rows are inserted in the open transaction, invisible to everyone else.
      const open = await withPg(fresh, async (c) =>
        (await c.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`)).rows[0].n,
      );
      expect(Number(open)).toBe(1);
      expect(Object.values(await pgCounts(fresh)).every((n) => n === 0)).toBe(true);

      child.kill('SIGKILL');
      expect((await result).signal).toBe('SIGKILL');
      // Wait until PostgreSQL has noticed the dead client and rolled its transaction back.
      for (let i = 0; i < 100; i++) {
        const n = await withPg(fresh, async (c) => (await c.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows[0].n);
        if (Number(n) === 0) break;
        await sleep(100);
      }
      const counts = await pgCounts(fresh);
      expect(Object.keys(counts)).toHaveLength(TABLES.length); // migrated ...
      expect(Object.values(counts).every((n) => n === 0)).toBe(true); // ... but empty

      const lines: string[] = [];
      const rerun = await copyDatabase({ from: source.url, to: fresh, log: (line) => lines.push(line) });
      expect(lines.join('\n')).toMatch(/is empty; copying \d+ rows of 43 tables in one transaction/);
      expect(rerun.truncated).toBe(false);
      expect(rerun.verify?.ok).toBe(true);
      expect(await pgCounts(fresh)).toEqual(sourceCounts(source.path));
    },
    2 * SPAWN_TIMEOUT_MS,
  );
});

describe('rows that cannot be converted', () => {
  let source: { url: string; path: string };
  let bad: { users: number; json: number; bool: number };

  beforeAll(async () => {
    source = await migratedFixture(LARGEST_FIXTURE);
    const db = new Database(source.path);
    try {
      const owners = db.prepare(`SELECT id FROM agent_ownership ORDER BY id LIMIT 2`).all() as { id: number }[];
      const admin = db.prepare(`SELECT id FROM users WHERE username = 'admin'`).get() as { id: number };
      bad = { users: admin.id, json: owners[0].id, bool: owners[1].id };
      db.prepare(`UPDATE users SET created_at = 'the day before yesterday' WHERE id = ?`).run(bad.users);
      db.prepare(`UPDATE agent_ownership SET read_only_config = '{"paths": [' WHERE id = ?`).run(bad.json);
      db.prepare(`UPDATE agent_ownership SET is_system = 2 WHERE id = ?`).run(bad.bool);
    } finally {
      db.close();
    }
  });

  it('fail the copy, named by table and primary key, and leave the target empty', async () => {
    const target = await createPostgresDatabase();
    const error = await copyDatabase({ from: source.url, to: target }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyError);
    const invalid = (error as CopyError).invalid.map((r) => [r.table, r.key, r.column]);
    expect(invalid).toEqual([
      ['users', `id=${bad.users}`, 'created_at'],
      ['agent_ownership', `id=${bad.json}`, 'read_only_config'],
      ['agent_ownership', `id=${bad.bool}`, 'is_system'],
    ]);
    expect((error as Error).message).toContain('3 row(s) cannot be converted');
    expect((error as Error).message).toContain(`users id=${bad.users}: created_at: not a timestamp`);
    expect((error as Error).message).toContain(`agent_ownership id=${bad.json}: read_only_config: invalid JSON`);
    expect((error as Error).message).toContain(`agent_ownership id=${bad.bool}: is_system: expected a boolean stored as 0 or 1, got integer 2`);
    expect(Object.values(await pgCounts(target)).every((n) => n === 0)).toBe(true);
  });

  it('with --skip-invalid are skipped and listed; verify then reports exactly those tables', async () => {
    const target = await createPostgresDatabase();
    const result = await runCli(['copy', '--from', source.url, '--to', target, '--skip-invalid']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('skipped 3 row(s) that cannot be converted');
    expect(result.stdout).toContain(`users id=${bad.users}: created_at: not a timestamp`);
    // copy's own verify leaves out the skipped rows, and says so
    expect(result.stdout).toContain('verify: OK');
    expect(result.stdout).toContain('3 skipped source row(s) were excluded from the comparison');
    const counts = await pgCounts(target);
    const expected = sourceCounts(source.path);
    expect(counts).toEqual({ ...expected, users: expected.users - 1, agent_ownership: expected.agent_ownership - 2 });

    const report = await verifyDatabases(source.url, target);
    expect(report.differing).toEqual(['users', 'agent_ownership']);
    expect(report.tables.find((t) => t.table === 'agent_ownership')!.examples).toEqual([
      `id=${bad.json} (missing in target)`,
      `id=${bad.bool} (missing in target)`,
    ]);
  }, SPAWN_TIMEOUT_MS);
});
