/**
 * `npm run migration:generate -- AddSomething [--dry-run] [--allow-destructive]`: writes the
 * migration for BOTH tracks at once.
 *
 * TypeORM's own `migration:generate` diffs the entities against one live database, so it would
 * need a SQLite and a PostgreSQL database at the head, and would write one file per run. Here each
 * driver gets a throw-away database migrated to the head of its track, and scripts/migration-plan.ts
 * turns the difference to the entities into up()/down() steps that lose nothing (ALTER TABLE ... ADD
 * COLUMN, CREATE INDEX, and on SQLite a rebuildTable call where a table must be rebuilt). Both files
 * share the timestamp and class name, and both are registered in <dir>/index.ts, so the tracks keep
 * the same names in the same order.
 *
 * Destructive changes (a dropped column, a type change by DROP/ADD on PostgreSQL or by a rebuild on
 * SQLite) write nothing and exit 3, printing what to write by hand instead, unless
 * --allow-destructive is given. --dry-run prints both files and writes nothing (same exit code as
 * the real run would have).
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
import { pathToFileURL } from 'url';
import { Client } from 'pg';
import { parseDatabaseUrl, type PostgresConfig } from '../src/config';
import { createDataSource, type MigrationClass } from '../src/data-source';
import type { Driver } from '../src/dialect';
import type { TableRebuild } from '../src/migration/sqlite/table-rebuild';
import { planMigration, type MigrationPlan, type Step } from './migration-plan';

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

/** Migrates a throw-away database to the head of the track and plans what is still missing. */
async function changesOn(target: string | PostgresConfig, migrations: MigrationClass[]): Promise<MigrationPlan> {
  const dataSource = createDataSource(target, { migrations });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    return await planMigration(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function sqliteChanges(migrations: MigrationClass[]): Promise<MigrationPlan> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trinity-migration-generate-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return changesOn(`sqlite:///${path.join(dir, 'head.db')}`, migrations);
}

async function postgresChanges(migrations: MigrationClass[]): Promise<MigrationPlan> {
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
// Writing the files

/** The query as the body of a template literal: `\`, backticks and `${` escaped. */
function templateLiteral(query: string): string {
  return query.trim().replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

function queryLine(query: { query: string; parameters?: unknown[] }): string {
  const parameters = query.parameters?.length ? `, ${JSON.stringify(query.parameters)}` : '';
  return `    await queryRunner.query(\`${templateLiteral(query.query)}\`${parameters});`;
}

/** A single-quoted TypeScript string literal. */
function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function rebuildLines(why: string, rebuild: TableRebuild): string[] {
  const list = (names: string[]) => `[${names.map(stringLiteral).join(', ')}]`;
  const lines = [`    // ${why}`, '    await rebuildTable(queryRunner, {', `      table: ${stringLiteral(rebuild.table)},`, `      create: \`${templateLiteral(rebuild.create)}\`,`];
  if (rebuild.indexes?.length) lines.push('      indexes: [', ...rebuild.indexes.map((sql) => `        \`${templateLiteral(sql)}\`,`), '      ],');
  if (rebuild.dropIndexes?.length) lines.push(`      dropIndexes: ${list(rebuild.dropIndexes)},`);
  if (rebuild.dropColumns?.length) lines.push(`      dropColumns: ${list(rebuild.dropColumns)}, // their values are lost`);
  lines.push('    });');
  return lines;
}

/** up() runs the steps in order; down() undoes them in reverse order, as TypeORM's generator does. */
function body(kind: 'up' | 'down', steps: Step[]): string[] {
  const ordered = kind === 'up' ? steps : [...steps].reverse();
  return ordered.flatMap((step) => {
    if (step.kind === 'rebuild') return rebuildLines(kind === 'up' ? step.why : `undo: ${step.why}`, step[kind]);
    const queries = kind === 'up' ? step.up : [...step.down].reverse();
    return queries.map(queryLine);
  });
}

function method(kind: 'up' | 'down', driver: Driver, steps: Step[], handWritten: boolean): string {
  const lines = body(kind, steps);
  if (handWritten) {
    const what = kind === 'up' ? 'the change' : 'what undoes up()';
    return [
      `  async ${kind}(queryRunner: QueryRunner): Promise<void> {`,
      `    // Write ${what} on ${LABEL[driver]} here, e.g. await queryRunner.query(\`...\`);`,
      ...(driver === 'sqlite' ? [`    // A new table shape: await rebuildTable(queryRunner, { table, create, indexes }) from './table-rebuild'.`] : []),
      '  }',
    ].join('\n');
  }
  if (lines.length === 0) {
    return [
      `  async ${kind}(): Promise<void> {`,
      `    // No schema change on ${LABEL[driver]}: this migration exists so that both tracks keep the same names.`,
      '  }',
    ].join('\n');
  }
  return [`  async ${kind}(queryRunner: QueryRunner): Promise<void> {`, ...lines, '  }'].join('\n');
}

/**
 * A migration file that imports typeorm and, when it rebuilds a SQLite table, the track's own
 * rebuildTable (./table-rebuild), so it works wherever the track is copied.
 */
function migrationSource(driver: Driver, name: string, className: string, plan: MigrationPlan, handWritten = false): string {
  const used = plan.steps.length > 0 || handWritten ? 'MigrationInterface, QueryRunner' : 'MigrationInterface';
  const imports = [`import type { ${used} } from 'typeorm';`];
  if (plan.steps.some((s) => s.kind === 'rebuild')) imports.push(`import { rebuildTable } from './table-rebuild';`);
  return `${imports.join('\n')}

/** ${LABEL[driver]} track of ${name}; written by \`npm run migration:generate -- ${name}${handWritten ? ' --empty' : ''}\`. ${handWritten ? 'Written by hand.' : 'Review before committing.'} */
export class ${className} implements MigrationInterface {
  name = '${className}';

${method('up', driver, plan.steps, handWritten)}

${method('down', driver, plan.steps, handWritten)}
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

const FLAGS = ['--dry-run', '--allow-destructive', '--empty'] as const;
const USAGE = 'usage: npm run migration:generate -- AddSomething [--dry-run] [--allow-destructive | --empty]';

/** Exit codes: 0 written (or a dry run that would write), 1 no change, 2 failure or bad usage, 3 destructive change refused. */
const EXIT = { written: 0, noChange: 1, failed: 2, destructive: 3 } as const;

function parseArguments(args: string[]): { name: string; dryRun: boolean; allowDestructive: boolean; empty: boolean } {
  const flags = args.filter((a) => a.startsWith('--'));
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = flags.filter((f) => !(FLAGS as readonly string[]).includes(f));
  if (unknown.length) throw new UsageError(`unknown option ${unknown.join(', ')} (options: ${FLAGS.join(', ')})\n${USAGE}`);
  if (names.length !== 1 || !/^[A-Z][A-Za-z0-9]*$/.test(names[0])) {
    throw new UsageError(
      `expected one PascalCase migration name (letters and digits, starting with a capital letter), got ${names.length ? names.map((a) => `'${a}'`).join(' ') : 'nothing'}\n${USAGE}`,
    );
  }
  if (flags.includes('--empty') && flags.includes('--allow-destructive')) throw new UsageError(`--empty writes no generated change: --allow-destructive makes no sense with it\n${USAGE}`);
  return { name: names[0], dryRun: flags.includes('--dry-run'), allowDestructive: flags.includes('--allow-destructive'), empty: flags.includes('--empty') };
}

function printDestructive(plans: MigrationPlan[], allowed: boolean): void {
  const bar = '!'.repeat(100);
  const lines = ['', bar, allowed ? 'DESTRUCTIVE CHANGE, allowed by --allow-destructive:' : 'DESTRUCTIVE CHANGE: nothing written.'];
  for (const plan of plans) {
    for (const { change, alternative } of plan.destructive) lines.push(`  - ${change}`, ...alternative.map((a) => `      ${a}`));
  }
  if (!allowed) {
    lines.push(
      '',
      'Write the change by hand instead: `npm run migration:generate -- <Name> --empty` writes both files',
      'with empty up()/down() (see docs/SCHEMA-CHANGES.md); or re-run with --allow-destructive if losing',
      'those values is what you want (--dry-run shows what it would write).',
    );
  }
  lines.push(bar);
  console.error(lines.join('\n'));
}

async function main(): Promise<number> {
  const { name, dryRun, allowDestructive, empty } = parseArguments(process.argv.slice(2));

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

  const dryRunNote = dryRun ? ' (dry run: nothing is written)' : '';
  if (empty) {
    const none = (driver: Driver): MigrationPlan => ({ driver, steps: [], destructive: [], notes: [] });
    const sources = { sqlite: migrationSource('sqlite', name, className, none('sqlite'), true), postgres: migrationSource('postgres', name, className, none('postgres'), true) };
    console.log(`Writing ${className} with empty up()/down() on both tracks${dryRunNote}`);
    writeMigration(files, sources, indexFile, index, className, dryRun);
    return EXIT.written;
  }

  console.log(`Generating ${className} against the tracks in ${shown(dir)}${dryRunNote}`);
  const plans: Record<Driver, MigrationPlan> = {
    sqlite: await sqliteChanges(tracks.sqlite),
    postgres: await postgresChanges(tracks.postgres),
  };
  for (const driver of ['sqlite', 'postgres'] as Driver[]) {
    const rebuilds = plans[driver].steps.filter((s) => s.kind === 'rebuild').length;
    console.log(
      `${LABEL[driver]}: ${plans[driver].steps.length} step(s) after ${tracks[driver].length} migration(s)` +
        (rebuilds ? `, ${rebuilds} of them table rebuild(s) by rebuildTable` : ''),
    );
  }
  if (plans.sqlite.steps.length === 0 && plans.postgres.steps.length === 0) {
    console.log('No changes in database schema were found: nothing written.');
    return EXIT.noChange;
  }
  for (const note of [...plans.sqlite.notes, ...plans.postgres.notes]) console.error(`Note: ${note}`);

  const sources = { sqlite: migrationSource('sqlite', name, className, plans.sqlite), postgres: migrationSource('postgres', name, className, plans.postgres) };
  const destructive = plans.sqlite.destructive.length + plans.postgres.destructive.length > 0;
  const refused = destructive && !allowDestructive;
  if (dryRun || !refused) writeMigration(files, sources, indexFile, index, className, dryRun);
  if (destructive) printDestructive([plans.sqlite, plans.postgres], allowDestructive);
  return refused ? EXIT.destructive : EXIT.written;
}

/** Writes both files and the index, or with `dryRun` prints the files and writes nothing. */
function writeMigration(files: Record<Driver, string>, sources: Record<Driver, string>, indexFile: string, index: string, className: string, dryRun: boolean): void {
  if (dryRun) {
    for (const driver of ['sqlite', 'postgres'] as Driver[]) console.log(`\n----- ${shown(files[driver])} -----\n${sources[driver]}`);
    return;
  }
  for (const driver of ['sqlite', 'postgres'] as Driver[]) {
    if (existsSync(files[driver])) throw new Error(`${files[driver]} already exists`);
  }
  for (const driver of ['sqlite', 'postgres'] as Driver[]) {
    writeFileSync(files[driver], sources[driver]);
    console.log(`Wrote ${shown(files[driver])}`);
  }
  writeFileSync(indexFile, index);
  console.log(`Registered ${className} in both tracks of ${shown(indexFile)}`);
}

main()
  .catch((error: unknown) => {
    // Our errors and pg's never contain the password; URLs are only shown masked.
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof UsageError ? `migration:generate: ${message}` : `migration:generate failed: ${message}`);
    return EXIT.failed;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
