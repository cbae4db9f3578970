/**
 * One SQLite and one PostgreSQL DataSource open at the same time in one process: the same entity
 * values written through TypeORM repositories on both read back as the same API values, SQLite keeps
 * the legacy physical format (0/1, per-column timestamp text, Python json.dumps text), PostgreSQL
 * uses native types, and a bad value is rejected on both before anything is written.
 */
import type { DeepPartial, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { AgentActivity, AgentHealthCheck, AgentOwnership, AgentTag, ScheduleExecution, User } from '../../src/entity';
import { InvalidColumnValueError } from '../../src/errors';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';
import { legacyManifest } from '../support/fixtures';
import { raw } from '../support/helpers';

// ---------------------------------------------------------------------------------------------
// Helpers and the values written
// ---------------------------------------------------------------------------------------------

const sources = {} as Record<Driver, TrinityDataSource>;

/** Saves a copy: TypeORM's save() writes generated and re-read values back into the object it is given. */
async function save<T extends ObjectLiteral>(driver: Driver, entity: EntityTarget<T>, value: NoInfer<DeepPartial<T>>): Promise<T> {
  return (await sources[driver].getRepository(entity).save({ ...value } as DeepPartial<T>)) as T;
}

async function load<T extends ObjectLiteral>(driver: Driver, entity: EntityTarget<T>, where: NoInfer<FindOptionsWhere<T>>): Promise<T> {
  return sources[driver].getRepository(entity).findOneByOrFail(where);
}

/** The one raw row a `?`-placeholder query returns. */
async function oneRow(driver: Driver, sql: string, params: unknown[]): Promise<Record<string, unknown>> {
  const rows = await raw(sources[driver], driver, sql, params);
  expect(rows).toHaveLength(1);
  return rows[0];
}

// 2026-04-01T14:59:29.123Z, and the same second with zero milliseconds (formats differ on the fraction).
const T_MS = new Date(Date.UTC(2026, 3, 1, 14, 59, 29, 123));
const T_ZERO = new Date(Date.UTC(2026, 3, 1, 14, 59, 29, 0));

interface Manifest {
  files: { checks: { table: string; values: Record<string, unknown> }[] }[];
}
const manifest = legacyManifest() as Manifest;

/** A JSON text the Python layer stored (the newest fixture), so its exact bytes are the expected SQLite text. */
function storedByPython(table: string, column: string): string {
  const files = manifest.files;
  const check = files[files.length - 1].checks.find((c) => c.table === table && typeof c.values[column] === 'string');
  if (!check) throw new Error(`no stored ${table}.${column} in the manifest`);
  return check.values[column] as string;
}

const READ_ONLY_CONFIG_TEXT = storedByPython('agent_ownership', 'read_only_config');
const DETAILS_TEXT = storedByPython('agent_activities', 'details');

// CJK, emoji, quotes and backslashes; the expected text is CPython's json.dumps of the same value.
const CJK_DETAILS = { summary: '研究报告 完成 ✅', emoji: '🚀🎉', quote: 'say "hi"\\', nested: { list: [1, 2.5, null, true, { 深: '层' }], empty: {} } };
const CJK_DETAILS_TEXT =
  '{"summary": "\\u7814\\u7a76\\u62a5\\u544a \\u5b8c\\u6210 \\u2705", "emoji": "\\ud83d\\ude80\\ud83c\\udf89", ' +
  '"quote": "say \\"hi\\"\\\\", "nested": {"list": [1, 2.5, null, true, {"\\u6df1": "\\u5c42"}], "empty": {}}}';

const USER_ALICE = { username: 'alice', passwordHash: null, role: 'admin', auth0Sub: null, name: 'Alice Ünal', picture: null, email: 'alice@example.com', createdAt: T_MS, updatedAt: T_ZERO, lastLogin: null };
// role left out: the column default 'user' applies.
const USER_BOB = { username: 'bob', createdAt: T_ZERO, updatedAt: T_ZERO };

const OWNERSHIP = {
  agentName: 'research-bot',
  ownerId: 1,
  createdAt: T_MS,
  isSystem: true,
  usePlatformApiKey: false,
  autonomyEnabled: true,
  readOnlyMode: false,
  readOnlyConfig: JSON.parse(READ_ONLY_CONFIG_TEXT) as unknown,
  avatarUpdatedAt: T_MS,
  maxParallelTasks: 5,
  // is_default_avatar, full_capabilities, execution_timeout_seconds: column defaults apply.
};
const OWNERSHIP_READ = {
  ...OWNERSHIP,
  memoryLimit: null,
  cpuLimit: null,
  subscriptionId: null,
  executionTimeoutSeconds: 900,
  avatarIdentityPrompt: null,
  isDefaultAvatar: false,
  fullCapabilities: false,
  voiceSystemPrompt: null,
};

const ACTIVITY = {
  id: 'act-1',
  agentName: 'research-bot',
  activityType: 'chat_start',
  activityState: 'completed',
  parentActivityId: null,
  startedAt: T_MS,
  completedAt: T_ZERO,
  durationMs: 1500,
  userId: 1,
  triggeredBy: 'user',
  relatedChatMessageId: null,
  relatedExecutionId: null,
  details: JSON.parse(DETAILS_TEXT) as unknown,
  error: null,
  createdAt: T_MS,
};
const ACTIVITY_CJK = { ...ACTIVITY, id: 'act-2', details: CJK_DETAILS };

const EXECUTION_NULLS = {
  id: 'exec-1',
  scheduleId: '__manual__',
  agentName: 'research-bot',
  status: 'running',
  startedAt: T_MS,
  completedAt: null,
  durationMs: null,
  message: 'Summarise the day',
  response: null,
  error: null,
  triggeredBy: 'manual',
  contextUsed: null,
  contextMax: null,
  cost: null,
  toolCalls: null,
  executionLog: null,
  modelUsed: null,
  subscriptionId: null,
  sourceUserId: null,
  sourceUserEmail: null,
  sourceAgentName: null,
  sourceMcpKeyId: null,
  sourceMcpKeyName: null,
  claudeSessionId: null,
  fanOutId: null,
};
// An empty list is stored as "[]", not as NULL.
const EXECUTION_DONE = { ...EXECUTION_NULLS, id: 'exec-2', status: 'success', completedAt: T_ZERO, durationMs: 812, cost: 0.0123, toolCalls: [] };

const HEALTH = {
  id: 'hc-1',
  agentName: 'research-bot',
  checkType: 'aggregate',
  status: 'degraded',
  containerStatus: 'running',
  cpuPercent: 12.5,
  memoryPercent: null,
  memoryMb: 512.25,
  restartCount: 0,
  oomKilled: null, // tri-state: unknown
  reachable: false,
  latencyMs: null,
  runtimeAvailable: true,
  claudeAvailable: null,
  contextPercent: null,
  activeExecutions: 2,
  errorRate: 0,
  errorMessage: null,
  checkedAt: T_MS,
  createdAt: T_ZERO,
};

const TAGS = [
  { agentName: 'research-bot', tag: 'prod', createdAt: T_MS },
  { agentName: 'research-bot', tag: '研究', createdAt: T_ZERO },
];

/** This part compares the two drivers, in every jest project (DRIVERS is one driver in the pgbouncer one). */
const BOTH_DRIVERS: Driver[] = ['sqlite', 'postgres'];

/** What save() returned on each driver. */
const written = {} as Record<Driver, { alice: User; bob: User; tags: AgentTag[] }>;

// ---------------------------------------------------------------------------------------------
// Both DataSources open at once; the same values written through both
// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  const [sqlite, postgres] = await Promise.all([openTestDataSource('sqlite'), openTestDataSource('postgres')]);
  sources.sqlite = sqlite;
  sources.postgres = postgres;
  for (const driver of BOTH_DRIVERS) {
    const alice = await save(driver, User, USER_ALICE);
    const bob = await save(driver, User, USER_BOB);
    written[driver] = { alice, bob, tags: [] };
    await save(driver, AgentOwnership, OWNERSHIP);
    await save(driver, AgentActivity, ACTIVITY);
    await save(driver, AgentActivity, ACTIVITY_CJK);
    await save(driver, ScheduleExecution, EXECUTION_NULLS);
    await save(driver, ScheduleExecution, EXECUTION_DONE);
    await save(driver, AgentHealthCheck, HEALTH);
    for (const tag of TAGS) written[driver].tags.push(await save(driver, AgentTag, tag));
    // No created_at: the CURRENT_TIMESTAMP default fills it.
    written[driver].tags.push(await save(driver, AgentTag, { agentName: 'research-bot', tag: 'defaulted' }));
  }
});

afterAll(cleanupTestDatabases);

describe('same API values through SQLite and PostgreSQL at once', () => {
  it('both DataSources are open together, on different drivers', () => {
    expect(sources.sqlite.isInitialized && sources.postgres.isInitialized).toBe(true);
    expect(sources.sqlite.options.type).toBe('better-sqlite3');
    expect(sources.postgres.options.type).toBe('postgres');
  });

  it('User: autoincrement ids generated on both, Dates, NULLs and the role default', async () => {
    for (const driver of BOTH_DRIVERS) {
      const { alice, bob } = written[driver];
      expect(typeof alice.id).toBe('number');
      expect(alice.id).toBeGreaterThan(0);
      expect(bob.id).toBeGreaterThan(alice.id);
    }
    const read = await Promise.all(BOTH_DRIVERS.map((d) => load(d, User, { username: 'alice' })));
    for (const [i, driver] of BOTH_DRIVERS.entries()) {
      expect(read[i]).toEqual({ ...USER_ALICE, id: written[driver].alice.id });
      expect(read[i].createdAt).toBeInstanceOf(Date);
      expect(read[i].createdAt.getTime()).toBe(T_MS.getTime());
    }
    expect(read[0]).toEqual(read[1]);
    const bobs = await Promise.all(BOTH_DRIVERS.map((d) => load(d, User, { username: 'bob' })));
    for (const bob of bobs) expect(bob).toMatchObject({ role: 'user', passwordHash: null, email: null, lastLogin: null });
    expect(bobs[0]).toEqual(bobs[1]);
  });

  it('AgentOwnership: booleans are booleans, bool defaults, JSON config deep-equal', async () => {
    const read = await Promise.all(BOTH_DRIVERS.map((d) => load(d, AgentOwnership, { agentName: 'research-bot' })));
    for (const row of read) {
      expect(row).toEqual({ ...OWNERSHIP_READ, id: row.id });
      expect(typeof row.id).toBe('number');
      for (const flag of [row.isSystem, row.usePlatformApiKey, row.autonomyEnabled, row.readOnlyMode, row.isDefaultAvatar, row.fullCapabilities]) {
        expect(typeof flag).toBe('boolean');
      }
    }
    expect(read[0]).toEqual(read[1]);
  });

  it('AgentActivity: Dates equal instants, nested JSON with emoji and CJK deep-equal', async () => {
    for (const [id, expected] of [['act-1', ACTIVITY], ['act-2', ACTIVITY_CJK]] as const) {
      const read = await Promise.all(BOTH_DRIVERS.map((d) => load(d, AgentActivity, { id })));
      for (const row of read) {
        expect(row).toEqual(expected);
        expect(row.startedAt.getTime()).toBe(T_MS.getTime());
        expect(row.completedAt!.getTime()).toBe(T_ZERO.getTime());
      }
      expect(read[0]).toEqual(read[1]);
    }
  });

  it('ScheduleExecution: NULLs read back as null, an empty JSON list stays a list', async () => {
    for (const expected of [EXECUTION_NULLS, EXECUTION_DONE]) {
      const read = await Promise.all(BOTH_DRIVERS.map((d) => load(d, ScheduleExecution, { id: expected.id })));
      for (const row of read) {
        expect(row).toEqual(expected);
        // toEqual treats undefined like a missing key; NULL columns must be null exactly.
        for (const [key, value] of Object.entries(expected)) if (value === null) expect(row[key as keyof ScheduleExecution]).toBeNull();
      }
      expect(read[0]).toEqual(read[1]);
    }
  });

  it('AgentHealthCheck: nullable booleans keep NULL / false / true apart', async () => {
    const read = await Promise.all(BOTH_DRIVERS.map((d) => load(d, AgentHealthCheck, { id: 'hc-1' })));
    for (const row of read) {
      expect(row).toEqual(HEALTH);
      expect(row.oomKilled).toBeNull();
      expect(row.reachable).toBe(false);
      expect(row.runtimeAvailable).toBe(true);
      expect(row.claudeAvailable).toBeNull();
    }
    expect(read[0]).toEqual(read[1]);
  });

  it('AgentTag: composite primary key rows, and a CURRENT_TIMESTAMP default read as a Date', async () => {
    for (const tag of TAGS) {
      const read = await Promise.all(BOTH_DRIVERS.map((d) => load(d, AgentTag, { agentName: tag.agentName, tag: tag.tag })));
      for (const row of read) expect(row).toEqual(tag);
    }
    for (const driver of BOTH_DRIVERS) {
      // save() re-reads columns with a database default after the INSERT; the codec must survive that.
      expect(written[driver].tags.slice(0, TAGS.length)).toEqual(TAGS);
      expect(written[driver].tags[TAGS.length].createdAt).toBeInstanceOf(Date);
      const all = await sources[driver].getRepository(AgentTag).find({ where: { agentName: 'research-bot' }, order: { tag: 'ASC' } });
      expect(all.map((t) => t.tag).sort()).toEqual(['defaulted', 'prod', '研究'].sort());
      const defaulted = all.find((t) => t.tag === 'defaulted')!;
      expect(defaulted.createdAt).toBeInstanceOf(Date);
      // Written by the database clock just now (UTC on both; SQLite keeps whole seconds).
      expect(Math.abs(defaulted.createdAt!.getTime() - Date.now())).toBeLessThan(5 * 60_000);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Physical storage
// ---------------------------------------------------------------------------------------------

describe.each(DRIVERS)('physical storage on %s', (driver) => {
  if (driver === 'sqlite') {
    it('booleans are INTEGER 0/1, NULL stays NULL', async () => {
      const owner = await oneRow(
        driver,
        `SELECT typeof(is_system) AS t1, is_system AS v1, typeof(use_platform_api_key) AS t2, use_platform_api_key AS v2,
                typeof(is_default_avatar) AS t3, is_default_avatar AS v3 FROM agent_ownership WHERE agent_name = ?`,
        ['research-bot'],
      );
      expect(owner).toEqual({ t1: 'integer', v1: 1, t2: 'integer', v2: 0, t3: 'integer', v3: 0 });
      const health = await oneRow(
        driver,
        `SELECT typeof(oom_killed) AS t1, typeof(reachable) AS t2, reachable AS v2, typeof(runtime_available) AS t3, runtime_available AS v3
           FROM agent_health_checks WHERE id = ?`,
        ['hc-1'],
      );
      expect(health).toEqual({ t1: 'null', t2: 'integer', v2: 0, t3: 'integer', v3: 1 });
    });

    it("timestamps are TEXT in each column's legacy format", async () => {
      const cases: [string, string, string, unknown, string][] = [
        // table, column, key column, key, expected text
        ['users', 'created_at', 'username', 'alice', '2026-04-01T14:59:29.123000'], // naive
        ['users', 'updated_at', 'username', 'alice', '2026-04-01T14:59:29'], // naive, zero fraction dropped
        ['agent_activities', 'started_at', 'id', 'act-1', '2026-04-01T14:59:29.123000Z'], // Z6
        ['agent_activities', 'completed_at', 'id', 'act-1', '2026-04-01T14:59:29.000000Z'], // Z6 keeps six zeros
        ['agent_tags', 'created_at', 'tag', 'prod', '2026-04-01T14:59:29.123000Z'], // naive+Z
        ['agent_tags', 'created_at', 'tag', '研究', '2026-04-01T14:59:29Z'], // naive+Z, zero fraction dropped
        ['agent_ownership', 'avatar_updated_at', 'agent_name', 'research-bot', '2026-04-01T14:59:29.123000+00:00'], // +00:00
        ['agent_ownership', 'created_at', 'agent_name', 'research-bot', '2026-04-01T14:59:29.123000'], // naive
        ['agent_health_checks', 'checked_at', 'id', 'hc-1', '2026-04-01T14:59:29.123000Z'], // Z6
      ];
      for (const [table, column, key, value, expected] of cases) {
        const row = await oneRow(driver, `SELECT typeof(${column}) AS t, ${column} AS v FROM ${table} WHERE ${key} = ?`, [value]);
        expect({ where: `${table}.${column}`, ...row }).toEqual({ where: `${table}.${column}`, t: 'text', v: expected });
      }
      // The CURRENT_TIMESTAMP default is SQLite's own 'YYYY-MM-DD HH:MM:SS'.
      const defaulted = await oneRow(driver, `SELECT created_at AS v FROM agent_tags WHERE tag = ?`, ['defaulted']);
      expect(defaulted.v).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    });

    it('JSON is Python json.dumps text', async () => {
      const config = await oneRow(driver, `SELECT read_only_config AS v FROM agent_ownership WHERE agent_name = ?`, ['research-bot']);
      expect(config.v).toBe(READ_ONLY_CONFIG_TEXT);
      const details = await oneRow(driver, `SELECT details AS v FROM agent_activities WHERE id = ?`, ['act-1']);
      expect(details.v).toBe(DETAILS_TEXT);
      const cjk = await oneRow(driver, `SELECT details AS v FROM agent_activities WHERE id = ?`, ['act-2']);
      expect(cjk.v).toBe(CJK_DETAILS_TEXT);
      const empty = await oneRow(driver, `SELECT typeof(tool_calls) AS t, tool_calls AS v FROM schedule_executions WHERE id = ?`, ['exec-2']);
      expect(empty).toEqual({ t: 'text', v: '[]' });
      const none = await oneRow(driver, `SELECT typeof(tool_calls) AS t FROM schedule_executions WHERE id = ?`, ['exec-1']);
      expect(none).toEqual({ t: 'null' });
    });
  }

  if (driver === 'postgres') {
    it('booleans are boolean, NULL stays NULL', async () => {
      const owner = await oneRow(
        driver,
        `SELECT pg_typeof(is_system)::text AS t1, is_system AS v1, use_platform_api_key AS v2, is_default_avatar AS v3 FROM agent_ownership WHERE agent_name = ?`,
        ['research-bot'],
      );
      expect(owner).toEqual({ t1: 'boolean', v1: true, v2: false, v3: false });
      const health = await oneRow(driver, `SELECT oom_killed AS v1, reachable AS v2, runtime_available AS v3 FROM agent_health_checks WHERE id = ?`, ['hc-1']);
      expect(health).toEqual({ v1: null, v2: false, v3: true });
    });

    it('timestamps are timestamptz holding the written instant', async () => {
      // Shown as the UTC wall clock whatever the session's time zone (the test server's is not UTC).
      const row = await oneRow(
        driver,
        `SELECT pg_typeof(created_at)::text AS t, (created_at AT TIME ZONE 'UTC')::text AS v1, (updated_at AT TIME ZONE 'UTC')::text AS v2 FROM users WHERE username = ?`,
        ['alice'],
      );
      expect(row).toEqual({ t: 'timestamp with time zone', v1: '2026-04-01 14:59:29.123', v2: '2026-04-01 14:59:29' });
    });

    it('JSON is jsonb with the same content', async () => {
      const row = await oneRow(
        driver,
        `SELECT pg_typeof(details)::text AS t, details = ?::jsonb AS same, details->>'summary' AS summary FROM agent_activities WHERE id = ?`,
        [JSON.stringify(CJK_DETAILS), 'act-2'],
      );
      expect(row).toEqual({ t: 'jsonb', same: true, summary: CJK_DETAILS.summary });
      const none = await oneRow(driver, `SELECT tool_calls IS NULL AS is_null FROM schedule_executions WHERE id = ?`, ['exec-1']);
      expect(none).toEqual({ is_null: true });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Bad values
// ---------------------------------------------------------------------------------------------

describe.each(DRIVERS)('bad values on %s', (driver) => {
  async function expectRejected(write: Promise<unknown>, column: string): Promise<void> {
    const error = await write.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidColumnValueError);
    expect((error as InvalidColumnValueError).column).toBe(column);
    expect((error as Error).message).toContain(column);
  }

  it('a non-boolean string for a bool column throws InvalidColumnValueError naming it, nothing written', async () => {
    const value = { ...OWNERSHIP, agentName: 'bad-bool-bot', isSystem: 'yes' as unknown as boolean };
    await expectRejected(save(driver, AgentOwnership, value), 'is_system');
    expect(await sources[driver].getRepository(AgentOwnership).countBy({ agentName: 'bad-bool-bot' })).toBe(0);
  });

  it('an unparseable string for a timestamp column throws InvalidColumnValueError naming it, nothing written', async () => {
    const value = { ...USER_ALICE, username: 'bad-time', createdAt: 'yesterday-ish' as unknown as Date };
    await expectRejected(save(driver, User, value), 'created_at');
    expect(await sources[driver].getRepository(User).countBy({ username: 'bad-time' })).toBe(0);
  });

  it('an impossible date (2026-02-31) is rejected too', async () => {
    const value = { ...ACTIVITY, id: 'bad-date', startedAt: '2026-02-31T10:00:00Z' as unknown as Date };
    await expectRejected(save(driver, AgentActivity, value), 'started_at');
    expect(await sources[driver].getRepository(AgentActivity).countBy({ id: 'bad-date' })).toBe(0);
  });

  it('the tables still hold only the rows written above', async () => {
    expect(await sources[driver].getRepository(User).count()).toBe(2);
    expect(await sources[driver].getRepository(AgentOwnership).count()).toBe(1);
    expect(await sources[driver].getRepository(AgentActivity).count()).toBe(2);
  });
});
