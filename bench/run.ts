/**
 * Facade vs raw driver benchmark. Never part of `npm test`.
 *
 *   npm run bench                                  # both drivers (embedded PostgreSQL 16 unless BENCH_DATABASE_URL)
 *   npm run bench -- --driver sqlite --rounds 15 --batch-ms 200   # defaults: 11 rounds of 120 ms
 *   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench -- --driver postgres
 *   npm run bench -- --only getUserByUsername      # one call (e.g. under node --cpu-prof)
 *   npm run bench -- --explain                     # print EXPLAIN of every benchmarked statement
 *   npm run bench -- --tmp                         # write bench/results/*.json.tmp (git-ignored)
 *   npm run bench -- --no-pgbouncer                # PostgreSQL direct only
 *
 * PostgreSQL is measured direct and through PgBouncer in transaction mode (Debian's pgbouncer,
 * docs/examples/pgbouncer.ini, started here in front of the same server): the facade through the
 * pooler against raw `pg` through the same pooler.
 * Each listed facade call is measured against a raw-driver implementation of the same statements
 * (bench/raw.ts) in the same process: per round, every call runs a facade batch and a raw batch
 * (alternating which goes first), each for --batch-ms; the table shows the median over --rounds
 * rounds after one warm-up round.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import { performance } from 'perf_hooks';
import { Client } from 'pg';
import { pathToFileURL } from 'url';
import { DatabaseManager } from '../src/manager';
import { loadDatabaseConfig } from '../src/config';
import { sessionSettingsOf, statementPrelude } from '../src/sql/session-settings';
import { sqliteConnectionPragmas } from '../src/dialect';
import { rawPostgres, rawSqlite, statementTexts, type RawDriver } from './raw';
import { findPgBouncer, startPgBouncer, type PgBouncer } from '../test/support/pgbouncer';
import { formatMarkdown, formatTable, machineInfo, median, writeResults, type CaseResult, type ConcurrencyResult, type DriverResults } from './report';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const next = process.argv[i + 1];
  return next === undefined || next.startsWith('--') ? 'true' : next;
}

const DRIVERS = (arg('driver', 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('driver')]) as ('sqlite' | 'postgres')[];
const ROUNDS = Number(arg('rounds', '11'));
const BATCH_MS = Number(arg('batch-ms', '120'));
const ONLY = arg('only');
const EXPLAIN = arg('explain') === 'true';
const TMP = arg('tmp') === 'true';
const CONCURRENCY_SECONDS = Number(arg('concurrency-seconds', '2'));
const SKIP_CONCURRENCY = arg('no-concurrency') === 'true';
const SKIP_PGBOUNCER = arg('no-pgbouncer') === 'true';

// ---------------------------------------------------------------------------------------------
// PostgreSQL: BENCH_DATABASE_URL or an embedded PostgreSQL 16 (scripts/embedded-postgres.mjs)
// ---------------------------------------------------------------------------------------------

interface PgServer {
  adminUrl: string;
  stop(): Promise<void>;
}

async function startPostgres(): Promise<PgServer> {
  if (process.env.BENCH_DATABASE_URL) return { adminUrl: process.env.BENCH_DATABASE_URL, stop: async () => undefined };
  // scripts/embedded-postgres.mjs is ESM; a real dynamic import survives ts-node's CommonJS output.
  const esmImport = new Function('s', 'return import(s)') as (s: string) => Promise<any>;
  const { startEmbeddedPostgres } = await esmImport(pathToFileURL(path.resolve(__dirname, '../scripts/embedded-postgres.mjs')).href);
  const server = await startEmbeddedPostgres({
    prefix: 'trinity-bench-pg-',
    password: 'trinity-bench',
    durable: true, // the benchmarks measure writes as production pays for them
    flags: ['-c', 'max_connections=300'],
    hint: 'set BENCH_DATABASE_URL to a running PostgreSQL',
  });
  return { adminUrl: server.url, stop: () => server.dispose() };
}

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Seed (through the facade)
// ---------------------------------------------------------------------------------------------

interface Fixture {
  users: { username: string; email: string; id: number }[];
  agents: string[];
  keys: string[];
  scheduleIds: Record<string, string>;
  executionIds: string[];
  session: { id: string; agent: string; userId: number; email: string };
  /** A user the agent is shared with (neither admin nor owner): the access check runs all three queries. */
  accessCase: { username: string; agent: string };
  busyAgent: string;
}

async function seed(db: DatabaseManager): Promise<Fixture> {
  const users: Fixture['users'] = [];
  for (let i = 0; i < 200; i++) {
    const u = await db.createUser({ username: `user-${i}`, email: `User-${i}@Example.com`, role: 'user' });
    users.push({ username: u.username, email: u.email!, id: u.id });
  }
  const agents: string[] = [];
  for (let i = 0; i < 50; i++) {
    const agent = `agent-${String(i).padStart(2, '0')}`;
    await db.registerAgentOwner(agent, users[i % users.length].username);
    agents.push(agent);
    for (let s = 1; s <= 3; s++) await db.shareAgent(agent, users[i % users.length].username, users[(i + s * 7) % users.length].email);
    for (const tag of ['research', `team-${i % 5}`, `tier-${i % 3}`]) await db.addAgentTag(agent, tag);
  }
  for (let i = 0; i < 50; i++) for (let t = 1; t <= 6; t++) await db.addAgentPermission(agents[i], agents[(i + t) % agents.length], users[i].username);
  const keys: string[] = [];
  for (let i = 0; i < 50; i++) {
    const key = await db.createMcpApiKey(users[i].username, { name: `key-${i}`, description: 'bench' });
    keys.push(key!.api_key);
  }
  const scheduleIds: Record<string, string> = {};
  for (let i = 0; i < 50; i++) {
    const schedule = await db.createSchedule(agents[i], users[i].username, { name: `hourly-${i}`, cron_expression: '0 * * * *', message: 'run the report' });
    scheduleIds[agents[i]] = schedule!.id;
  }
  const executionIds: string[] = [];
  const busyAgent = agents[0];
  for (let i = 0; i < 400; i++) {
    const agent = i < 120 ? busyAgent : agents[i % agents.length];
    const execution = await db.createScheduleExecution(scheduleIds[agent], agent, `run ${i}`);
    if (i % 4 !== 0) await db.updateExecutionStatus(execution.id, i % 9 === 0 ? 'failed' : 'success', { response: 'done', cost: 0.01 });
    executionIds.push(execution.id);
  }
  const sessionUser = users[3];
  const session = await db.getOrCreateChatSession(agents[3], sessionUser.id, sessionUser.email);
  return {
    users,
    agents,
    keys,
    scheduleIds,
    executionIds,
    session: { id: session.id, agent: agents[3], userId: sessionUser.id, email: sessionUser.email },
    accessCase: { username: users[(5 + 7) % users.length].username, agent: agents[5] },
    busyAgent,
  };
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  statements: string;
  kind: CaseResult['kind'];
  facade: () => Promise<unknown>;
  raw: () => Promise<unknown>;
}

/** On PostgreSQL: raw `pg` with and without the settings prelude the executor sends ahead of a statement. */
function preludeCase(db: DatabaseManager, raw: RawDriver): Case[] {
  const config = db.dataSource.config;
  if (config.driver !== 'postgres') return [];
  const prelude = statementPrelude(sessionSettingsOf(config));
  const pgRaw = raw as ReturnType<typeof rawPostgres>;
  return [
    {
      // Both sides raw pg, extended protocol; only the prelude differs.
      name: 'settings prelude (raw pg)',
      statements: 'SELECT 1 with / without',
      kind: 'point read',
      facade: () => pgRaw.selectOneWithSettings(prelude),
      raw: () => pgRaw.selectOneExtended(),
    },
  ];
}

function cases(db: DatabaseManager, raw: RawDriver, f: Fixture): Case[] {
  let n = 0;
  const next = <T>(list: T[]) => list[n++ % list.length];
  const statusTargets = f.executionIds.slice(0, 200);
  return [
    {
      name: 'getUserByUsername',
      statements: '1 SELECT',
      kind: 'point read',
      facade: () => db.getUserByUsername(next(f.users).username),
      raw: () => raw.getUserByUsername(next(f.users).username),
    },
    {
      name: 'validateMcpApiKey',
      statements: 'SELECT join + UPDATE',
      kind: 'single-row write',
      facade: () => db.validateMcpApiKey(next(f.keys)),
      raw: () => raw.validateMcpApiKey(next(f.keys)),
    },
    {
      name: 'canUserAccessAgent',
      statements: '3 SELECTs (shared user)',
      kind: 'point read',
      facade: () => db.canUserAccessAgent(f.accessCase.username, f.accessCase.agent),
      raw: () => raw.canUserAccessAgent(f.accessCase.username, f.accessCase.agent),
    },
    {
      name: 'createScheduleExecution',
      statements: '1 INSERT',
      kind: 'single-row write',
      facade: () => db.createScheduleExecution(f.scheduleIds[f.agents[7]], f.agents[7], 'bench run'),
      raw: () => raw.createScheduleExecution(f.scheduleIds[f.agents[7]], f.agents[7], 'bench run'),
    },
    {
      name: 'updateExecutionStatus',
      statements: 'SELECT + UPDATE',
      kind: 'single-row write',
      facade: () => db.updateExecutionStatus(next(statusTargets), 'success', { response: 'ok', cost: 0.02 }),
      raw: () => raw.updateExecutionStatus(next(statusTargets), 'success', 'ok', 0.02),
    },
    {
      name: 'addChatMessage',
      statements: 'BEGIN, INSERT, UPDATE, COMMIT',
      kind: 'multi-statement',
      facade: () => db.addChatMessage(f.session.id, f.session.agent, f.session.userId, f.session.email, 'user', 'hello there'),
      raw: () => raw.addChatMessage(f.session.id, f.session.agent, f.session.userId, f.session.email, 'user', 'hello there'),
    },
    {
      name: 'createActivity (log activity)',
      statements: '1 INSERT',
      kind: 'single-row write',
      facade: () => db.createActivity({ agent_name: f.agents[9], activity_type: 'chat_start', user_id: f.users[9].id, triggered_by: 'user' }),
      raw: () => raw.createActivity(f.agents[9], 'chat_start', f.users[9].id),
    },
    {
      name: 'getAgentExecutions (50 rows)',
      statements: '1 SELECT, 50 rows',
      kind: 'list/aggregate',
      facade: () => db.getAgentExecutions(f.busyAgent, 50),
      raw: () => raw.getAgentExecutions(f.busyAgent, 50),
    },
    {
      name: 'getAllAgentsExecutionStats',
      statements: '1 aggregate SELECT',
      kind: 'list/aggregate',
      facade: () => db.getAllAgentsExecutionStats(24),
      raw: () => raw.getAllAgentsExecutionStats(24),
    },
    {
      name: 'getAgentTags',
      statements: '1 SELECT, 3 rows',
      kind: 'point read',
      facade: () => db.getAgentTags(next(f.agents)),
      raw: () => raw.getAgentTags(next(f.agents)),
    },
    {
      name: 'getPermittedAgents',
      statements: '1 SELECT, 6 rows',
      kind: 'point read',
      facade: () => db.getPermittedAgents(next(f.agents)),
      raw: () => raw.getPermittedAgents(next(f.agents)),
    },
    {
      // The executor's own cost per statement (on PostgreSQL: the session settings sent ahead of it).
      name: 'SELECT 1 (executor)',
      statements: '1 SELECT, no table',
      kind: 'point read',
      facade: () => db.executor.select('SELECT 1 AS one'),
      raw: () => raw.selectOne(),
    },
    ...preludeCase(db, raw),
  ].filter((c) => !ONLY || c.name.startsWith(ONLY)) as Case[];
}

/** Runs `fn` sequentially for about `ms` milliseconds; returns ops/s and this process's CPU µs per op. */
async function batch(fn: () => Promise<unknown>, ms: number): Promise<{ opsPerSec: number; cpuMicros: number }> {
  let ops = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 16; i++) await fn();
    ops += 16;
    now = performance.now();
  }
  const used = process.cpuUsage(cpu);
  return { opsPerSec: (ops * 1000) / (now - start), cpuMicros: (used.user + used.system) / ops };
}

async function measure(list: Case[]): Promise<CaseResult[]> {
  for (const c of list) {
    await batch(c.facade, BATCH_MS / 2); // warm-up: JIT, statement caches, pool connections
    await batch(c.raw, BATCH_MS / 2);
  }
  type Side = { ops: number[]; cpu: number[] };
  const rounds = new Map<string, { facade: Side; raw: Side }>(list.map((c) => [c.name, { facade: { ops: [], cpu: [] }, raw: { ops: [], cpu: [] } }]));
  const record = (side: Side, result: { opsPerSec: number; cpuMicros: number }) => {
    side.ops.push(result.opsPerSec);
    side.cpu.push(result.cpuMicros);
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of list) {
      const slot = rounds.get(c.name)!;
      // A B, then B A: neither side always runs on a warmer cache or a fuller WAL.
      if (r % 2 === 0) {
        record(slot.facade, await batch(c.facade, BATCH_MS));
        record(slot.raw, await batch(c.raw, BATCH_MS));
      } else {
        record(slot.raw, await batch(c.raw, BATCH_MS));
        record(slot.facade, await batch(c.facade, BATCH_MS));
      }
    }
  }
  return list.map((c) => {
    const { facade: f, raw: r } = rounds.get(c.name)!;
    const facadeOps = median(f.ops);
    const rawOps = median(r.ops);
    // Each round's facade and raw batches ran back to back: the median of the per-round ratios
    // cancels most of the machine's drift (load from other processes, WAL/checkpoint state).
    const pairedRatio = median(f.ops.map((ops, i) => r.ops[i] / ops));
    return {
      name: c.name,
      statements: c.statements,
      kind: c.kind,
      facadeOpsPerSec: facadeOps,
      rawOpsPerSec: rawOps,
      ratio: pairedRatio,
      ratioOfMedians: rawOps / facadeOps,
      facadeMicros: 1e6 / facadeOps,
      rawMicros: 1e6 / rawOps,
      facadeCpuMicros: median(f.cpu),
      rawCpuMicros: median(r.cpu),
      facadeRounds: f.ops.map(Math.round),
      rawRounds: r.ops.map(Math.round),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------------

/** `callers` concurrent loops over `op` for `seconds`; counts completed calls and errors. */
async function concurrent(callers: number, seconds: number, op: (caller: number, i: number) => Promise<unknown>): Promise<ConcurrencyResult> {
  let ops = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; performance.now() < deadline; i++) {
        try {
          await op(caller, i);
          ops++;
        } catch (error) {
          errors++;
          if (errors <= 3) console.error(`caller ${caller}:`, error);
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  return { callers, opsPerSec: ops / elapsed, errors, ops, seconds: Number(elapsed.toFixed(2)) };
}

/** The calls of the read-mostly mix, on the facade or on the raw driver. */
interface MixCalls {
  user(username: string): Promise<unknown>;
  access(username: string, agent: string): Promise<unknown>;
  key(apiKey: string): Promise<unknown>;
  tags(agent: string): Promise<unknown>;
  activity(agent: string, userId: number): Promise<unknown>;
}

const facadeMix = (db: DatabaseManager): MixCalls => ({
  user: (u) => db.getUserByUsername(u),
  access: (u, a) => db.canUserAccessAgent(u, a),
  key: (k) => db.validateMcpApiKey(k),
  tags: (a) => db.getAgentTags(a),
  activity: (a, id) => db.createActivity({ agent_name: a, activity_type: 'chat_start', user_id: id, triggered_by: 'user' }),
});

const rawMix = (raw: RawDriver): MixCalls => ({
  user: (u) => raw.getUserByUsername(u),
  access: (u, a) => raw.canUserAccessAgent(u, a),
  key: (k) => raw.validateMcpApiKey(k),
  tags: (a) => raw.getAgentTags(a),
  activity: (a, id) => raw.createActivity(a, 'chat_start', id),
});

/** Read-mostly request mix: 4 in 10 user lookups, 2 access checks, 1 key validation (writes usage), 2 tag lists, 1 activity insert. */
function readMostlyOp(calls: MixCalls, f: Fixture) {
  return async (caller: number, i: number) => {
    const k = (caller * 7919 + i) % 10;
    const user = f.users[(caller + i) % f.users.length];
    if (k < 4) return calls.user(user.username);
    if (k < 6) return calls.access(f.accessCase.username, f.accessCase.agent);
    if (k === 6) return calls.key(f.keys[(caller + i) % f.keys.length]);
    if (k < 9) return calls.tags(f.agents[(caller + i) % f.agents.length]);
    return calls.activity(f.agents[caller % f.agents.length], user.id);
  };
}

/** Windows per caller count and side: facade and raw alternate window by window (A B, then B A). */
const CONCURRENCY_WINDOWS = 8;

/**
 * Facade and raw `pg` (same pool size) at 1, 4, 16 and 64 callers, in alternating short windows so
 * that both sides see the same machine: per side the median op/s of its windows, and for the facade
 * `ratio` = the median over the rounds of (facade op/s / raw op/s) of the same round.
 */
async function postgresConcurrency(db: DatabaseManager, raw: RawDriver, f: Fixture): Promise<ConcurrencyResult[]> {
  const runs: ConcurrencyResult[] = [];
  const facadeOp = readMostlyOp(facadeMix(db), f);
  const rawOp = readMostlyOp(rawMix(raw), f);
  await concurrent(16, 0.5, facadeOp); // open the pools' connections
  await concurrent(16, 0.5, rawOp);
  const window = CONCURRENCY_SECONDS / CONCURRENCY_WINDOWS;
  for (const callers of [1, 4, 16, 64]) {
    const facade: ConcurrencyResult[] = [];
    const rawRuns: ConcurrencyResult[] = [];
    for (let round = 0; round < CONCURRENCY_WINDOWS; round++) {
      if (round % 2 === 0) {
        facade.push(await concurrent(callers, window, facadeOp));
        rawRuns.push(await concurrent(callers, window, rawOp));
      } else {
        rawRuns.push(await concurrent(callers, window, rawOp));
        facade.push(await concurrent(callers, window, facadeOp));
      }
    }
    const summary = (windows: ConcurrencyResult[]): ConcurrencyResult => ({
      callers,
      opsPerSec: median(windows.map((w) => w.opsPerSec)),
      errors: windows.reduce((n, w) => n + w.errors, 0),
      ops: windows.reduce((n, w) => n + w.ops, 0),
      seconds: Number(windows.reduce((n, w) => n + w.seconds, 0).toFixed(2)),
    });
    runs.push({ ...summary(facade), ratio: median(facade.map((w, i) => w.opsPerSec / rawRuns[i].opsPerSec)) });
    runs.push({ ...summary(rawRuns), raw: true });
  }
  return runs;
}

/** 64 callers of a write-heavy mix on SQLite; afterwards every write must be there. */
async function sqliteConcurrency(db: DatabaseManager, f: Fixture): Promise<{ runs: ConcurrencyResult[]; checks: Record<string, unknown> }> {
  const agent = 'conc-agent';
  const session = await db.createNewChatSession(agent, f.users[1].id, f.users[1].email);
  const before = (await db.getChatSession(session.id))!.message_count;
  let executions = 0;
  let messages = 0;
  let activities = 0;
  let statusUpdates = 0;
  const result = await concurrent(64, CONCURRENCY_SECONDS, async (caller, i) => {
    const k = i % 4;
    if (k === 0) {
      const e = await db.createScheduleExecution('__manual__', agent, `c${caller}-${i}`);
      executions++;
      if (await db.updateExecutionStatus(e.id, 'success', { response: 'ok', cost: 0.001 })) statusUpdates++;
      return;
    }
    if (k === 1) {
      await db.addChatMessage(session.id, agent, f.users[1].id, f.users[1].email, 'user', `m${caller}-${i}`);
      messages++;
      return;
    }
    if (k === 2) {
      await db.createActivity({ agent_name: agent, activity_type: 'chat_start', triggered_by: 'user' });
      activities++;
      return;
    }
    await db.getUserByUsername(f.users[caller].username);
  });
  const storedExecutions = (await db.getAgentExecutions(agent, -1)).filter((e) => e.status === 'success').length;
  const storedMessages = (await db.getChatMessages(session.id, -1)).length;
  const sessionCount = (await db.getChatSession(session.id))!.message_count - before;
  const storedActivities = (await db.getAgentActivities(agent, { limit: -1 })).length;
  const checks = {
    executions,
    storedExecutions,
    statusUpdates,
    messages,
    storedMessages,
    sessionMessageCount: sessionCount,
    activities,
    storedActivities,
    lostWrites: executions - storedExecutions + (messages - storedMessages) + (messages - sessionCount) + (activities - storedActivities),
  };
  return { runs: [result], checks };
}

// ---------------------------------------------------------------------------------------------
// EXPLAIN
// ---------------------------------------------------------------------------------------------

const EXPLAIN_PARAMS: Record<string, unknown[]> = {
  user: ['user-1'],
  keyByHash: ['0'.repeat(64)],
  keyUse: ['2025-01-01T00:00:00', 1, 1],
  owner: ['agent-01'],
  shared: ['agent-01', 'user-8@example.com'],
  insertExecution: ['x', 's', 'a', '2025-01-01T00:00:00.000000Z', 'm', 'schedule', null, null, null, null, null, null, null, null],
  executionStart: ['x'],
  executionFinish: ['success', '2025-01-01T00:00:00.000000Z', 1, 'r', null, null, null, 0.1, null, null, null, 'x'],
  insertMessage: ['x', 's', 'a', 1, 'e', 'user', 'c', '2025-01-01T00:00:00', null, null, null, null, null, 'text', null, null],
  bumpSession: ['2025-01-01T00:00:00', 0, null, null, 's'],
  insertActivity: ['x', 'a', 't', 'started', null, '2025-01-01T00:00:00.000000Z', null, 'user', null, null, null, null, '2025-01-01T00:00:00.000000Z'],
  agentExecutions: ['agent-00', 50],
  fleetStats: ['2025-01-01T00:00:00.000'],
  tags: ['agent-01'],
  permitted: ['agent-01'],
};

async function explain(db: DatabaseManager, driver: 'sqlite' | 'postgres'): Promise<void> {
  const texts = statementTexts(driver);
  // PostgreSQL plans from statistics; autovacuum would have collected them on a live database.
  // SQLite is left as the legacy files are (no sqlite_stat1 unless someone ran ANALYZE).
  if (driver === 'postgres') await db.dataSource.query('ANALYZE');
  for (const [name, text] of Object.entries(texts)) {
    const params = EXPLAIN_PARAMS[name].map((p) => (driver === 'postgres' && typeof p === 'string' && /^\d{4}-\d\d-\d\dT/.test(p) ? new Date(p.replace(/Z?$/, 'Z')) : p));
    const pgParams = driver === 'postgres' && (name === 'keyUse') ? [params[0], params[1], true] : params;
    const isWrite = /^\s*(INSERT|UPDATE|DELETE)/i.test(text);
    let rows: Record<string, unknown>[];
    if (driver === 'sqlite') {
      rows = await db.dataSource.query(`EXPLAIN QUERY PLAN ${text}`, params);
      console.log(`\n-- ${name}\n${rows.map((r) => `   ${r.detail}`).join('\n')}`);
    } else {
      // EXPLAIN (no ANALYZE) never executes the statement, writes included. The seeded tables are a
      // few pages, where a Seq Scan is the right plan; then the plan with seq scans disabled shows
      // that the index exists and is usable for the larger tables of a real deployment.
      const runner = db.dataSource.createQueryRunner();
      try {
        rows = await runner.query(`EXPLAIN ${text}`, pgParams);
        console.log(`\n-- ${name}${isWrite ? ' (write)' : ''}\n${rows.map((r) => `   ${r['QUERY PLAN']}`).join('\n')}`);
        if (rows.some((r) => /Seq Scan/.test(String(r['QUERY PLAN'])))) {
          await runner.query('SET enable_seqscan = off');
          rows = await runner.query(`EXPLAIN ${text}`, pgParams);
          await runner.query('RESET enable_seqscan');
          console.log(`   -- with enable_seqscan = off:\n${rows.map((r) => `   ${r['QUERY PLAN']}`).join('\n')}`);
        }
      } finally {
        await runner.release();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

/** PgBouncer in front of the benchmark server, or why there is none. */
async function startBenchPgBouncer(pg: PgServer): Promise<PgBouncer | string> {
  if (SKIP_PGBOUNCER) return '--no-pgbouncer';
  if (!findPgBouncer()) return 'pgbouncer is not installed (Debian: apt-get install -y pgbouncer)';
  const server = new URL(pg.adminUrl);
  return startPgBouncer({
    server: { host: server.hostname, port: server.port || '5432' },
    user: decodeURIComponent(server.username),
    password: server.password ? decodeURIComponent(server.password) : undefined,
  });
}

/** The same calls on the same seeded database, facade and raw `pg` both through the PgBouncer. */
async function measureThroughPgBouncer(bouncer: PgBouncer, url: string, poolMax: number, fixture: Fixture): Promise<CaseResult[]> {
  const routed = new URL(url);
  routed.hostname = bouncer.host;
  routed.port = String(bouncer.port);
  const db = await DatabaseManager.open({ url: routed.toString(), env: {} });
  const raw = rawPostgres(routed.toString(), poolMax);
  try {
    return await measure(cases(db, raw, fixture));
  } finally {
    await raw.close();
    await db.close();
  }
}

async function runDriver(driver: 'sqlite' | 'postgres', pg: PgServer | undefined, bouncer?: PgBouncer | string): Promise<DriverResults> {
  let url: string;
  let dir: string | undefined;
  if (driver === 'sqlite') {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trinity-bench-sqlite-'));
    url = `sqlite:///${path.join(dir, 'trinity.db')}`;
  } else {
    url = await freshDatabase(pg!.adminUrl, 'trinity_bench');
  }
  const config = loadDatabaseConfig({ ...process.env, DATABASE_URL: url });
  const db = await DatabaseManager.open({ url, env: {} });
  const raw = driver === 'sqlite' ? rawSqlite(path.join(dir!, 'trinity.db'), config.driver === 'sqlite' ? sqliteConnectionPragmas(config) : []) : rawPostgres(url, config.driver === 'postgres' ? config.pool.max : 1);
  try {
    const t0 = performance.now();
    const fixture = await seed(db);
    console.log(`${driver}: seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s (${db.dataSource.maskedUrl})`);
    if (EXPLAIN) await explain(db, driver);
    const caseResults = await measure(cases(db, raw, fixture));
    let pgbouncer: DriverResults['pgbouncer'];
    if (driver === 'postgres' && bouncer !== undefined) {
      pgbouncer =
        typeof bouncer === 'string'
          ? { skipped: bouncer }
          : {
              description: `PgBouncer ${bouncer.binary} in transaction mode (docs/examples/pgbouncer.ini, default_pool_size 20) in front of the same server; facade and raw pg (pool max ${config.driver === 'postgres' ? config.pool.max : '-'}) both through it`,
              cases: await measureThroughPgBouncer(bouncer, url, config.driver === 'postgres' ? config.pool.max : 1, fixture),
            };
    }
    let concurrency: DriverResults['concurrency'] = { description: 'skipped', runs: [] };
    if (!SKIP_CONCURRENCY && !ONLY) {
      if (driver === 'postgres') {
        concurrency = {
          description: `read-mostly mix (40% user lookup, 20% access check, 10% key validation, 20% tag list, 10% activity insert), facade and raw pg in alternating windows (median of ${CONCURRENCY_WINDOWS} each), pool max ${config.driver === 'postgres' ? config.pool.max : '-'}, ${CONCURRENCY_SECONDS} s per run`,
          runs: await postgresConcurrency(db, raw, fixture),
        };
      } else {
        const { runs, checks } = await sqliteConcurrency(db, fixture);
        concurrency = {
          description: `64 callers, write-heavy mix (execution insert + status update, chat message, activity insert, user lookup), ${CONCURRENCY_SECONDS} s`,
          runs,
          checks,
        };
      }
    }
    return {
      driver,
      date: new Date().toISOString(),
      machine: machineInfo(),
      settings: {
        rounds: ROUNDS,
        batchMs: BATCH_MS,
        sqlite: config.driver === 'sqlite' ? { pragmas: sqliteConnectionPragmas(config), file: 'temp dir on local disk' } : undefined,
        postgres: driver === 'postgres' ? { server: process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'embedded PostgreSQL 16 on 127.0.0.1', poolMax: config.driver === 'postgres' ? config.pool.max : undefined } : undefined,
      },
      cases: caseResults,
      concurrency,
      ...(pgbouncer ? { pgbouncer } : {}),
    };
  } finally {
    await raw.close();
    await db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const pg = DRIVERS.includes('postgres') ? await startPostgres() : undefined;
  const bouncer = pg ? await startBenchPgBouncer(pg) : undefined;
  try {
    for (const driver of DRIVERS) {
      const results = await runDriver(driver, pg, bouncer);
      console.log(`\n${formatTable(results)}\n`);
      if (arg('markdown') === 'true') console.log(`${formatMarkdown(results)}\n`);
      if (!ONLY) console.log(`wrote ${writeResults(results, TMP)}`);
    }
  } finally {
    if (bouncer && typeof bouncer !== 'string') await bouncer.dispose();
    await pg?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
