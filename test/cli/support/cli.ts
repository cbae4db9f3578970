/** Helpers of the trinity-db CLI suites: spawn the real executable, migrated fixture copies, raw PostgreSQL queries. */
import { spawn, type ChildProcess } from 'child_process';
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import { Client } from 'pg';
import { migrateDatabase } from '../../../src/cli/migrate';
import { applicationTables } from '../../../src/cli/table-rows';
import { legacyFixtureCopy } from '../../support/databases';
import { legacyManifest } from '../../support/fixtures';

export const ROOT = path.resolve(__dirname, '../../..');
export const BIN = path.join(ROOT, 'bin', 'trinity-db.js');
export const SPAWN_TIMEOUT_MS = 90_000;

export interface Manifest {
  files: { file: string; row_counts: Record<string, number>; sqlite_sequence: Record<string, number> }[];
}
export const manifest: Manifest = legacyManifest();

/** The fixture with the most rows. */
export const LARGEST_FIXTURE = [...manifest.files].sort(
  (a, b) => Object.values(b.row_counts).reduce((x, y) => x + y, 0) - Object.values(a.row_counts).reduce((x, y) => x + y, 0),
)[0].file;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const CONTROLLED = ['DATABASE_URL', 'TRINITY_DB_PATH', 'TRINITY_DB_COPY_TEST_BATCH_DELAY_MS'];

export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONTROLLED.includes(name)));
  return { ...base, ...extra };
}

/** Spawns `node bin/trinity-db.js ...args` (stdout and stderr are pipes: no TTY). */
export function spawnCli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(env), timeout: SPAWN_TIMEOUT_MS });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result };
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return spawnCli(args, env).result;
}

/** Spawns `node <script> ...args` in the repository root (e.g. TypeORM's CLI on dist/ormconfig.js). */
export function runNode(script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: cliEnv(env), timeout: SPAWN_TIMEOUT_MS });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `typeorm <args>` with the compiled DataSource the package ships (dist/ormconfig.js). */
export function runTypeormCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runNode(path.join(ROOT, 'node_modules', 'typeorm', 'cli.js'), [...args, '-d', path.join(ROOT, 'dist', 'ormconfig.js')], env);
}

/** A private copy of a legacy fixture, migrated to the head by the migrate function (the copy source must be). */
export async function migratedFixture(file: string): Promise<{ url: string; path: string }> {
  const copy = legacyFixtureCopy(file);
  await migrateDatabase(copy.url);
  return copy;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export async function withPg<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Rows per application table (tables that do not exist are left out). */
export async function pgCounts(url: string): Promise<Record<string, number>> {
  return withPg(url, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of applicationTables()) {
      const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`"${table.tableName}"`]);
      if (!rows[0].present) continue;
      counts[table.tableName] = Number((await client.query(`SELECT COUNT(*) AS n FROM "${table.tableName}"`)).rows[0].n);
    }
    return counts;
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
