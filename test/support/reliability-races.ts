/**
 * The get-or-create and upsert methods of the facade, each with the key it races on, the row count
 * that must exist afterwards and the check of what the racing callers got back. Used by
 * test/reliability/concurrency.test.ts.
 */
import { writeFileSync } from 'fs';
import path from 'path';
import type { DatabaseManager } from '../../src/manager';
import { startNodeChild, startReadyChild } from './child-process';
import { scratchDir } from './databases';
import { countRows, describeError } from './reliability-helpers';

/**
 * Check-then-insert and DELETE + INSERT replacements racing on a UNIQUE index: they once failed on
 * PostgreSQL (docs/RELIABILITY.md → "Defects found and fixed", 1). One round of a race may happen not
 * to collide, so these run several rounds on fresh keys.
 */
export const REPEATED_RACES = ['getOrCreateAuth0User', 'getOrCreateEmailUser', 'getOrCreateChatSession', 'setAgentTags', 'setAgentPermissions'];

/**
 * The keys of the REPEATED_RACES cases get a per-round suffix, so that a race can be repeated
 * on fresh keys (a race that happens not to collide once is run again).
 */
let roundSuffix = '';
const k = (key: string) => `${key}${roundSuffix}`;
export function setRaceRound(round: number): void {
  roundSuffix = round === 0 ? '' : `-round${round}`;
}

/** Identical calls fired at once per case. */
export const RACERS = 16;

export interface RaceCase {
  name: string;
  /** Runs once before the race (e.g. creates the binding a chat link needs); returns context for `call`. */
  setup?: (db: DatabaseManager) => Promise<unknown>;
  /** One racing call; `i` is the racer's index. */
  call: (db: DatabaseManager, i: number, context: unknown) => Promise<unknown>;
  /** Table, WHERE clause (`?` placeholders) and parameters of the rows the race may create (a function when keyed by round). */
  rows: [string, string, unknown[]] | (() => [string, string, unknown[]]);
  expectedRows: number;
  /** What the racers got back (e.g. all the same id). */
  verify?: (results: unknown[], db: DatabaseManager) => Promise<void> | void;
}

const sameValue = (pick: (r: unknown) => unknown) => (results: unknown[]) => {
  const values = new Set(results.map(pick));
  if (values.size !== 1) throw new Error(`racers got ${values.size} different values: ${[...values].slice(0, 5).join(', ')}`);
};
const id = (r: unknown) => (r as { id: unknown } | null)?.id;
const exactlyOneTrue = (results: unknown[]) => {
  const trues = results.filter((r) => r === true).length;
  if (trues !== 1) throw new Error(`expected exactly one caller to get true, got ${trues} (results: ${results.join(', ')})`);
};
const exactlyOneNonNull = (results: unknown[]) => {
  const made = results.filter((r) => r !== null).length;
  if (made !== 1) throw new Error(`expected exactly one caller to get the new row, got ${made}`);
};

export const GET_OR_CREATE_CASES: RaceCase[] = [
  {
    name: 'getOrCreateAuth0User',
    call: (db) => db.getOrCreateAuth0User(k('auth0|race'), k('race-auth0@example.com'), 'Racer'),
    rows: () => ['users', 'auth0_sub = ?', [k('auth0|race')]],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'getOrCreateEmailUser',
    call: (db) => db.getOrCreateEmailUser(k('race-email@example.com')),
    rows: () => ['users', 'email = ?', [k('race-email@example.com')]],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'getOrCreateChatSession',
    setup: async (db) => (await db.getUserByUsername('owner'))!.id,
    call: (db, _i, userId) => db.getOrCreateChatSession(k('agent-race'), userId as number, 'owner@example.com'),
    rows: () => ['chat_sessions', 'agent_name = ?', [k('agent-race')]],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'getOrCreatePublicChatSession',
    call: (db) => db.getOrCreatePublicChatSession('link-race', 'Visitor@Example.com', 'email'),
    rows: ['public_chat_sessions', 'link_id = ?', ['link-race']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'getOrCreatePublicUserMemory',
    call: (db) => db.getOrCreatePublicUserMemory('agent-race', 'visitor@example.com'),
    rows: ['public_user_memory', 'agent_name = ?', ['agent-race']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'getOrCreateTelegramChatLink',
    setup: async (db) => (await db.createTelegramBinding('agent-tg-race', '123456:race-bot-token', 'race_bot', 777))!.id,
    call: (db, _i, bindingId) => db.getOrCreateTelegramChatLink(bindingId as number, 4242, 'racer'),
    rows: ['telegram_chat_links', 'telegram_user_id = ?', ['4242']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'createTelegramBinding (upsert)',
    call: (db, i) => db.createTelegramBinding('agent-tg-upsert', `123456:token-${i}`, 'upsert_bot', 778),
    rows: ['telegram_bindings', 'agent_name = ?', ['agent-tg-upsert']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'setSetting',
    call: (db, i) => db.setSetting('race-setting', `value-${i}`),
    rows: ['system_settings', 'key = ?', ['race-setting']],
    expectedRows: 1,
    verify: async (_results, db) => {
      const value = await db.getSettingValue('race-setting');
      if (!/^value-\d+$/.test(value ?? '')) throw new Error(`final value ${value}`);
    },
  },
  {
    name: 'createOrUpdateNeverminedConfig',
    call: (db, i) => db.createOrUpdateNeverminedConfig('agent-race', `nvm-key-${i}`, 'sandbox', 'did:nv:agent', 'plan-1', 1 + i),
    rows: ['nevermined_agent_config', 'agent_name = ?', ['agent-race']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'setAlertCooldown',
    call: (db) => db.setAlertCooldown('agent-race', 'cpu-high'),
    rows: ['monitoring_alert_cooldowns', 'agent_name = ?', ['agent-race']],
    expectedRows: 1,
  },
  {
    name: 'addAgentTag',
    call: (db) => db.addAgentTag('agent-race', 'Racing '),
    rows: ['agent_tags', 'agent_name = ?', ['agent-race']],
    expectedRows: 1,
    verify: (results) => sameValue((r) => JSON.stringify(r))(results),
  },
  {
    name: 'setAgentTags',
    call: (db) => db.setAgentTags(k('agent-race-set'), ['b', 'a', 'b']),
    rows: () => ['agent_tags', 'agent_name = ?', [k('agent-race-set')]],
    expectedRows: 2,
  },
  {
    name: 'recordPublicLinkUsage',
    call: (db) => db.recordPublicLinkUsage('link-race', 'visitor@example.com', '192.0.2.1'),
    rows: ['public_link_usage', 'link_id = ?', ['link-race']],
    expectedRows: 1,
    verify: async (results, db) => {
      sameValue(id)(results);
      const stats = await db.getPublicLinkUsageStats('link-race');
      if (stats.total_messages !== RACERS) throw new Error(`total_messages ${stats.total_messages}, expected ${RACERS}`);
    },
  },
  {
    name: 'createSlackWorkspace',
    call: (db, i) => db.createSlackWorkspace('T-RACE', 'Race team', `xoxb-race-${i}`, 'owner'),
    rows: ['slack_workspaces', 'team_id = ?', ['T-RACE']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'bindSlackChannelToAgent',
    call: (db) => db.bindSlackChannelToAgent('T-RACE', 'C-RACE', 'general', 'agent-race', 'owner', false),
    rows: ['slack_channel_agents', 'slack_channel_id = ?', ['C-RACE']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    // INSERT OR REPLACE semantics: every call replaces the row with a NEW id (documented); one row remains,
    // and it is the row one of the callers got back.
    name: 'createSlackUserVerification',
    call: (db) => db.createSlackUserVerification('link-race', 'U-RACE', 'T-RACE', 'racer@example.com', 'email'),
    rows: ['slack_user_verifications', 'slack_user_id = ?', ['U-RACE']],
    expectedRows: 1,
    verify: async (results, db) => {
      const stored = await db.getSlackUserVerification('link-race', 'U-RACE', 'T-RACE');
      if (!results.some((r) => id(r) === stored?.id)) throw new Error(`the stored row ${stored?.id} is none of the returned rows`);
    },
  },
  {
    name: 'registerSlackActiveThread',
    call: (db) => db.registerSlackActiveThread('T-RACE', 'C-RACE', '1700000000.000100', 'agent-race'),
    rows: ['slack_active_threads', 'thread_ts = ?', ['1700000000.000100']],
    expectedRows: 1,
  },
  {
    name: 'upsertSharedFolderConfig',
    call: (db, i) => db.upsertSharedFolderConfig('agent-race', i % 2 === 0, null),
    rows: ['agent_shared_folder_config', 'agent_name = ?', ['agent-race']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'createSubscription (upsert by name)',
    setup: async (db) => (await db.getUserByUsername('owner'))!.id,
    call: (db, i, ownerId) => db.createSubscription('race-subscription', `sk-ant-race-${i}`, ownerId as number, 'max', null),
    rows: ['subscription_credentials', 'name = ?', ['race-subscription']],
    expectedRows: 1,
    verify: sameValue(id),
  },
  {
    name: 'addToWhitelist',
    call: (db) => db.addToWhitelist('race-white@example.com', 'owner'),
    rows: ['email_whitelist', 'email = ?', ['race-white@example.com']],
    expectedRows: 1,
    verify: exactlyOneTrue,
  },
  {
    name: 'registerAgentOwner',
    call: (db) => db.registerAgentOwner('agent-race', 'owner'),
    rows: ['agent_ownership', 'agent_name = ?', ['agent-race']],
    expectedRows: 1,
    verify: exactlyOneTrue,
  },
  {
    name: 'shareAgent',
    setup: (db) => db.registerAgentOwner('agent-share-race', 'owner'),
    call: (db) => db.shareAgent('agent-share-race', 'owner', 'friend@example.com'),
    rows: ['agent_sharing', 'agent_name = ?', ['agent-share-race']],
    expectedRows: 1,
    verify: exactlyOneNonNull,
  },
  {
    name: 'addAgentPermission',
    call: (db) => db.addAgentPermission('agent-race', 'agent-target', 'owner'),
    rows: ['agent_permissions', 'source_agent = ?', ['agent-race']],
    expectedRows: 1,
    verify: exactlyOneNonNull,
  },
  {
    name: 'setAgentPermissions',
    call: (db) => db.setAgentPermissions(k('agent-race-perm'), ['agent-x', 'agent-y'], 'owner'),
    rows: () => ['agent_permissions', 'source_agent = ?', [k('agent-race-perm')]],
    expectedRows: 2,
  },
  {
    name: 'assignSkill',
    call: (db) => db.assignSkill('agent-race', 'skill-race', 'owner'),
    rows: ['agent_skills', 'agent_name = ?', ['agent-race']],
    expectedRows: 1,
    verify: exactlyOneNonNull,
  },
  {
    name: 'setAgentSkills',
    call: (db) => db.setAgentSkills('agent-race-skills', ['s1', 's2'], 'owner'),
    rows: ['agent_skills', 'agent_name = ?', ['agent-race-skills']],
    expectedRows: 2,
  },
];

export interface RaceOutcome {
  errors: string[];
  rows: number;
  check(): void;
}

/** Runs one case: setup, RACERS identical calls at once, then the row count and the verification. */
export async function raceCase(db: DatabaseManager, testCase: RaceCase, racers = RACERS): Promise<RaceOutcome> {
  const context = testCase.setup ? await testCase.setup(db) : undefined;
  const settled = await Promise.allSettled(Array.from({ length: racers }, (_, i) => testCase.call(db, i, context)));
  const errors = settled.flatMap((r, i) => (r.status === 'rejected' ? [`racer ${i}: ${describeError(r.reason)}`] : []));
  const [table, where, params] = typeof testCase.rows === 'function' ? testCase.rows() : testCase.rows;
  const rows = await countRows(db, table, where, params);
  let verifyError: unknown;
  if (!errors.length && testCase.verify) {
    try {
      await testCase.verify(
        settled.map((r) => (r as PromiseFulfilledResult<unknown>).value),
        db,
      );
    } catch (error) {
      verifyError = error;
    }
  }
  return {
    errors,
    rows,
    check: () => {
      if (verifyError) throw verifyError;
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Several processes on one database (child: test/support/reliability-writer.ts).

function startWriter(url: string, barrier: string, tag: string, calls: number) {
  return startReadyChild('reliability-writer.ts', [url, barrier, tag, String(calls)]);
}

/**
 * PROCESSES child processes open the database (already migrated by `db`), wait for a common barrier,
 * then each fires CALLS concurrent calls (5 kinds, 20 each): users, shared settings, a shared
 * link-usage counter, a shared memory counter, transactions adding a user and a shared tag.
 */
export async function multiProcessRun(db: DatabaseManager, url: string, processes = 3, calls = 100) {
  const barrier = path.join(scratchDir(), 'go');
  const writers = Array.from({ length: processes }, (_, p) => startWriter(url, barrier, `p${p}`, calls));
  await Promise.all(writers.map((w) => w.ready));
  const started = process.hrtime.bigint();
  writeFileSync(barrier, '');
  const results = await Promise.all(writers.map((w) => w.done));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const errors = results.flatMap((r, p) => {
    const last = r.stdout.trim().split('\n').pop() ?? '';
    if (!last.startsWith('{')) return [`process ${p} exited ${r.code}: ${r.stderr.slice(-500)}`];
    return (JSON.parse(last) as { errors: string[] }).errors.map((e) => `process ${p} ${e}`);
  });
  const perKind = calls / 5;
  const counts = {
    users: await countRows(db, 'users', "username LIKE 'p_-user-%'"),
    txUsers: await countRows(db, 'users', "username LIKE 'p_-tx-user-%'"),
    tags: (await db.getAgentTags('shared-agent')).length,
    settings: await countRows(db, 'system_settings', "key LIKE 'shared-setting-%'"),
    linkMessages: (await db.getPublicLinkUsageStats('shared-link')).total_messages,
    linkRows: await countRows(db, 'public_link_usage', 'link_id = ?', ['shared-link']),
    memoryCount: (await db.getOrCreatePublicUserMemory('shared-agent', 'visitor@example.com')).message_count,
  };
  const expected = {
    users: processes * perKind,
    txUsers: processes * perKind,
    tags: processes * perKind,
    settings: 2, // keys i % 10 for i % 5 == 1: 1 and 6
    linkMessages: processes * perKind,
    linkRows: 1,
    memoryCount: processes * perKind,
  };
  return {
    processes,
    calls,
    elapsedMs,
    errors,
    checkCounts: () => {
      if (JSON.stringify(counts) !== JSON.stringify(expected)) throw new Error(`counts ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}`);
    },
  };
}

/** Plain node (no ts-node, starts fast): autocommit INSERTs into system_settings for `ms` milliseconds, as another process would. */
const BUSY_WRITER = `
const Database = require('better-sqlite3');
const [file, ms] = process.argv.slice(1);
const db = new Database(file, { timeout: 20000 });
const insert = db.prepare("INSERT INTO system_settings (key, value, updated_at) VALUES (?, 'other-process', '2026-01-01T00:00:00')");
process.stdout.write('ready\\n');
const end = Date.now() + Number(ms);
let n = 0;
while (Date.now() < end) insert.run('other-process-' + n++);
process.stdout.write(JSON.stringify({ writes: n }) + '\\n');
db.close();
`;

/** Starts another process that keeps writing the SQLite file; resolves once it writes. `done` has its exit code, output and write count. */
export async function startBusyWriter(file: string, ms: number): Promise<{ done: Promise<{ code: number | null; stderr: string; writes: number }> }> {
  const child = startNodeChild(['-e', BUSY_WRITER, file, String(ms)]);
  const done = child.done.then(({ code, stdout, stderr }) => {
    const last = stdout.trim().split('\n').pop() ?? '';
    return { code, stderr, writes: last.startsWith('{') ? (JSON.parse(last) as { writes: number }).writes : 0 };
  });
  await child.ready;
  return { done };
}
