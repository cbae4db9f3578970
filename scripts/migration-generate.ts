/**
 * `npm run migration:generate -- AddSomething`: writes the migration for BOTH tracks at once.
 *
 * TypeORM's own `migration:generate` diffs the entities against one live database, so it would
 * need a SQLite and a PostgreSQL database at the head, and would write one file per run. Here each
 * driver gets a throw-away database migrated to the head of its track, and the schema builder's
 * log() (what synchronize would run) becomes up()/down(). Both files share the timestamp and class
 * name, and both are registered in <dir>/index.ts, so the tracks keep the same names in the same order.
 *
 * Environment:
 *   TRINITY_MIGRATION_DIR   migrations directory (default src/migration); its index.ts is both the
 *                           track the temporary databases are migrated with and the one updated.
 *   TRINITY_EXTRA_ENTITIES  comma-separated modules to require first (tests add an entity this way).
 *   MIGRATION_POSTGRES_URL  PostgreSQL server for the temporary database (user needs CREATEDB),
 *   TEST_DATABASE_URL       else this one, else an embedded PostgreSQL 16 started for the run.
 */
import 'reflect-metadata';
import { randomBytes } from 'crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { Client } from 'pg';
import { pathToFileURL } from 'url';
import type { MigrationInterface } from 'typeorm';
import { parseDatabaseUrl, type PostgresConfig } from '../src/config';
import { createDataSource, type MigrationClass } from '../src/data-source';
import type { Driver } from '../src/dialect';

interface Query {
  query: string;
  parameters?: unknown[];
}

interface Changes {
  up: Query[];
  down: Query[];
}

const LABEL: Record<Driver, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const ALIAS: Record<Driver, string> = { sqlite: 'Sqlite', postgres: 'Postgres' };

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Cleanup: every temporary file, database and server registers its undo here, and it runs on
// success, on error and on Ctrl-C.

const cleanups: (() => Promise<void> | void)[] = [];

async function cleanup(): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

// ---------------------------------------------------------------------------------------------
// The schema changes of one driver

/** Migrates a throw-away database to the head of the track and returns what is still missing. */
async function changesOn(target: string | PostgresConfig, migrations: MigrationClass[]): Promise<Changes> {
  const dataSource = createDataSource(target, { migrations });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    const { upQueries, downQueries } = await dataSource.driver.createSchemaBuilder().log();
    // down() undoes up() in reverse order, as TypeORM's generator does.
    return { up: upQueries, down: [...downQueries].reverse() };
  } finally {
    await dataSource.destroy();
  }
}

async function sqliteChanges(migrations: MigrationClass[]): Promise<Changes> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trinity-migration-generate-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return changesOn(`sqlite:///${path.join(dir, 'head.db')}`, migrations);
}

async function postgresChanges(migrations: MigrationClass[]): Promise<Changes> {
  const server = await postgresServer();
  const database = `trinity_migration_generate_${process.pid}_${Date.now()}`;
  const { host, port, user, password, ssl } = server;
  const admin = () => new Client({ host, port, user, password, ssl, database: server.database });
  const client = admin();
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  cleanups.push(async () => {
    const dropper = admin();
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  });
  console.log(`PostgreSQL: temporary database ${database} on ${server.maskedUrl}`);
  // The spread drops the non-enumerable password: put it back, still non-enumerable.
  const target: PostgresConfig = { ...server, database, maskedUrl: `${server.maskedUrl} (database ${database})` };
  Object.defineProperty(target, 'password', { value: server.password, enumerable: false });
  return changesOn(target, migrations);
}

/** The given PostgreSQL server, or an embedded PostgreSQL 16 that lives as long as this run. */
async function postgresServer(): Promise<PostgresConfig> {
  const variable = ['MIGRATION_POSTGRES_URL', 'TEST_DATABASE_URL'].find((name) => process.env[name]?.trim());
  if (variable) {
    const config = parseDatabaseUrl(process.env[variable]!, process.env, 'argument', variable);
    if (config.driver !== 'postgres') throw new UsageError(`${variable} must be a postgresql:// URL, got ${config.maskedUrl}`);
    return config;
  }

  console.log('PostgreSQL: starting an embedded PostgreSQL 16 (set MIGRATION_POSTGRES_URL to use a running server)');
  const embedded = await startEmbeddedPostgres({
    prefix: 'trinity-migration-pg-',
    password: randomBytes(18).toString('hex'),
    hint: 'set MIGRATION_POSTGRES_URL to a running PostgreSQL',
  });
  cleanups.push(() => embedded.dispose());
  return parseDatabaseUrl(embedded.url) as PostgresConfig;
}

/** scripts/embedded-postgres.mjs, loaded as ESM (a plain import() would be compiled into require() here). */
async function startEmbeddedPostgres(options: { prefix: string; password: string; hint: string }): Promise<{ url: string; dispose(): Promise<void> }> {
  const esmImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;
  const module = await esmImport(pathToFileURL(path.join(__dirname, 'embedded-postgres.mjs')).href);
  return module.startEmbeddedPostgres(options);
}

// ---------------------------------------------------------------------------------------------
// Dangerous changes

/**
 * Rule: a generated migration must never drop and re-add a column (that loses its data). TypeORM
 * does exactly that for a type change on PostgreSQL, and on SQLite it copies the whole table
 * through `temporary_<table>` for any column change. Those need a hand-written migration.
 */
function dangers(driver: Driver, up: Query[]): string[] {
  const found = new Set<string>();
  const rebuilt = new Set<string>();
  for (const { query } of up) {
    const table = /CREATE TABLE "temporary_([^"]+)"/.exec(query)?.[1];
    if (table) rebuilt.add(table);
  }
  for (const table of rebuilt) found.add(`${LABEL[driver]}: rebuilds table "${table}" through TypeORM's "temporary_${table}" copy`);
  for (const { query } of up) {
    const column = /DROP COLUMN "([^"]+)"/i.exec(query)?.[1];
    if (column) found.add(`${LABEL[driver]}: drops column "${column}" (${query.trim().slice(0, 80)})`);
    const typed = /ALTER COLUMN "([^"]+)" TYPE/i.exec(query)?.[1];
    if (typed) found.add(`${LABEL[driver]}: changes the type of column "${typed}"`);
    const dropped = /^\s*DROP TABLE "([^"]+)"/i.exec(query)?.[1];
    if (dropped && !rebuilt.has(dropped) && !dropped.startsWith('temporary_')) found.add(`${LABEL[driver]}: drops table "${dropped}"`);
  }
  return [...found];
}

// ---------------------------------------------------------------------------------------------
// Writing the files

/** The query as the body of a template literal: `\`, backticks and `${` escaped. */
function templateLiteral(query: string): string {
  return query.trim().replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

function method(kind: 'up' | 'down', driver: Driver, queries: Query[]): string {
  if (queries.length === 0) {
    return [
      `  async ${kind}(): Promise<void> {`,
      `    // No schema change on ${LABEL[driver]}: this migration exists so that both tracks keep the same names.`,
      '  }',
    ].join('\n');
  }
  const lines = queries.map((q) => {
    const parameters = q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : '';
    return `    await queryRunner.query(\`${templateLiteral(q.query)}\`${parameters});`;
  });
  return [`  async ${kind}(queryRunner: QueryRunner): Promise<void> {`, ...lines, '  }'].join('\n');
}

/** A migration file that imports nothing but typeorm, so it works wherever the track is copied. */
function migrationSource(driver: Driver, name: string, className: string, changes: Changes): string {
  const used = changes.up.length > 0 || changes.down.length > 0 ? 'MigrationInterface, QueryRunner' : 'MigrationInterface';
  return `import type { ${used} } from 'typeorm';

/** ${LABEL[driver]} track of ${name}; written by \`npm run migration:generate -- ${name}\`. Review before committing. */
export class ${className} implements MigrationInterface {
  name = '${className}';

${method('up', driver, changes.up)}

${method('down', driver, changes.down)}
}
`;
}

/** index.ts with one more import and array entry per track, in the file's own layout. */
function registerInIndex(source: string, file: string, name: string, timestamp: number): string {
  let result = source;
  for (const driver of ['postgres', 'sqlite'] as Driver[]) {
    const alias = `${ALIAS[driver]}${name}`;
    if (new RegExp(`\\b${alias}\\b`).test(result)) {
      throw new UsageError(`${shown(file)} already has a migration imported as ${alias}: choose another name`);
    }
    const statement = `import { ${name}${timestamp} as ${alias} } from './${driver}/${timestamp}-${name}';`;
    // After the track's last import (paths sort by timestamp), else after the last import.
    const lines = result.split('\n');
    let at = lines.map((l) => l.startsWith('import ') && l.includes(`'./${driver}/`)).lastIndexOf(true);
    if (at < 0) at = lines.map((l) => l.startsWith('import ')).lastIndexOf(true);
    lines.splice(at + 1, 0, statement);
    result = lines.join('\n');

    const track = new RegExp(`(\\b${driver}:\\s*\\[)([^\\]]*)(\\])`).exec(result);
    if (!track) throw new Error(`cannot find the '${driver}: [...]' track in ${file}`);
    const body = track[2];
    let entries: string;
    if (body.includes('\n')) {
      // One entry per line: add a line with the same indentation before the closing bracket.
      const content = body.trimEnd();
      const indent = /\n([ \t]*)\S/.exec(body)?.[1] ?? '    ';
      entries = `${content}${content.endsWith(',') ? '' : ','}\n${indent}${alias},${body.slice(content.length)}`;
    } else {
      entries = body.trim() ? `${body.replace(/,?\s*$/, '')}, ${alias}` : alias;
    }
    result = result.slice(0, track.index) + track[1] + entries + track[3] + result.slice(track.index + track[0].length);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

/** Paths inside the repository relative to it, others absolute. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function latestTimestamp(tracks: Record<Driver, MigrationClass[]>): number {
  const stamps = [...tracks.sqlite, ...tracks.postgres].map((m) => Number(/(\d{13})$/.exec(m.name)?.[1] ?? 0));
  return Math.max(0, ...stamps);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const name = args[0];
  if (args.length !== 1 || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    throw new UsageError(
      `expected one PascalCase migration name (letters and digits, starting with a capital letter), got ${args.length ? args.map((a) => `'${a}'`).join(' ') : 'nothing'}\n` +
        'usage: npm run migration:generate -- AddSomething',
    );
  }

  const dir = path.resolve(process.env.TRINITY_MIGRATION_DIR?.trim() || 'src/migration');
  const indexFile = path.join(dir, 'index.ts');
  if (!existsSync(indexFile)) throw new UsageError(`no migration index at ${indexFile} (TRINITY_MIGRATION_DIR)`);
  for (const module of (process.env.TRINITY_EXTRA_ENTITIES ?? '').split(',').map((m) => m.trim()).filter(Boolean)) {
    require(path.resolve(module));
  }
  // The track in <dir>, not the one src/data-source.ts imports: the head is where the new file goes.
  const tracks: Record<Driver, MigrationClass[]> = require(indexFile).MIGRATIONS;

  // Date.now(), but always after the latest migration: TypeORM orders migrations by timestamp.
  const timestamp = Math.max(Date.now(), latestTimestamp(tracks) + 1);
  const className = `${name}${timestamp}`;
  const files: Record<Driver, string> = {
    sqlite: path.join(dir, 'sqlite', `${timestamp}-${name}.ts`),
    postgres: path.join(dir, 'postgres', `${timestamp}-${name}.ts`),
  };
  const index = registerInIndex(readFileSync(indexFile, 'utf8'), indexFile, name, timestamp); // fails early on a name clash

  console.log(`Generating ${className} against the tracks in ${shown(dir)}`);
  const changes: Record<Driver, Changes> = {
    sqlite: await sqliteChanges(tracks.sqlite),
    postgres: await postgresChanges(tracks.postgres),
  };
  for (const driver of ['sqlite', 'postgres'] as Driver[]) {
    console.log(`${LABEL[driver]}: ${changes[driver].up.length} statement(s) after ${tracks[driver].length} migration(s)`);
  }
  if (changes.sqlite.up.length === 0 && changes.postgres.up.length === 0) {
    console.log('No changes in database schema were found: nothing written.');
    return 1;
  }

  for (const driver of ['sqlite', 'postgres'] as Driver[]) {
    if (existsSync(files[driver])) throw new Error(`${files[driver]} already exists`);
  }
  for (const driver of ['sqlite', 'postgres'] as Driver[]) {
    writeFileSync(files[driver], migrationSource(driver, name, className, changes[driver]));
    console.log(`Wrote ${shown(files[driver])}`);
  }
  writeFileSync(indexFile, index);
  console.log(`Registered ${className} in both tracks of ${shown(indexFile)}`);

  const warnings = [...dangers('sqlite', changes.sqlite.up), ...dangers('postgres', changes.postgres.up)];
  if (warnings.length) {
    const bar = '!'.repeat(100);
    console.error(
      [
        '',
        bar,
        'WARNING: DANGEROUS CHANGE - rewrite this migration by hand before committing.',
        ...warnings.map((w) => `  - ${w}`),
        'Never let a generated migration drop and re-add a column: the column loses its data.',
        'Write additive steps instead (ALTER TABLE ... ADD COLUMN, CREATE INDEX, copy data, then drop later).',
        bar,
      ].join('\n'),
    );
  }
  return 0;
}

main()
  .catch((error: unknown) => {
    // Our errors and pg's never contain the password; URLs are only shown masked.
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof UsageError ? `migration:generate: ${message}` : `migration:generate failed: ${message}`);
    return 2;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
