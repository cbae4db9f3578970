/**
 * The package as a backend and an operator use it: the build (dist/, made by the jest global setup
 * from the current sources) loads from plain JavaScript; the README's examples (examples/*.ts) run
 * as written on both drivers, and say clearly when the database is down; and the packed package,
 * installed into an empty application with --omit=dev, deploys with the TypeORM CLI and
 * `trinity-db` on both drivers.
 */
import { execFile, spawnSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import path from 'path';
import { promisify } from 'util';
import { maskUrl } from '../src/config';
import { DRIVERS, THROUGH_PGBOUNCER, cleanupTestDatabases, emptyDatabaseUrl, scratchDir } from './support/databases';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

afterAll(cleanupTestDatabases);

// Not a PostgreSQL test: declared in the direct project only.
if (!THROUGH_PGBOUNCER) describe('the built package', () => {
  it('loads from plain JavaScript, with type declarations beside it', async () => {
    const script = `const db = require('trinity-db'); const nest = require('trinity-db/nest');
      console.log([typeof db.DatabaseManager, typeof db.createDataSource, typeof nest.TrinityDatabaseModule, typeof db.entities.User].join(' '));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT });
    expect(stdout.trim()).toBe('function function function function');
    const { stdout: types } = await run(process.execPath, ['-e', `console.log(require.resolve('trinity-db/package.json'))`], { cwd: ROOT });
    expect(require('fs').existsSync(path.join(path.dirname(types.trim()), 'dist/index.d.ts'))).toBe(true);
  });
});

describe.each(DRIVERS)('README examples on %s', (driver) => {
  const env = async () => ({ ...process.env, DATABASE_URL: await emptyDatabaseUrl(driver), ADMIN_PASSWORD: 'Example-Passw0rd!' });
  const tsNode = (file: string) => [require.resolve('ts-node/dist/bin.js'), path.join(ROOT, 'examples', file)];

  it('runs examples/plain.ts', async () => {
    const { stdout } = await run(process.execPath, tsNode('plain.ts'), { cwd: ROOT, env: await env(), timeout: 120_000 });
    expect(stdout).toContain(`agents of alice: [ 'research-agent' ]`);
    expect(stdout).toContain('alice may use research-agent: true');
    expect(stdout).toContain(`tags: [ 'research' ]`);
    expect(stdout).toMatch(new RegExp(`${driver} \\S+: 1 migration\\(s\\) applied`));
    expect(stdout).not.toContain('Example-Passw0rd!');
  });

  it('runs examples/nest.ts', async () => {
    const { stdout } = await run(process.execPath, tsNode('nest.ts'), { cwd: ROOT, env: await env(), timeout: 120_000 });
    expect(stdout).toMatch(/user: bob \d+/);
  });
});

describe('README examples with the database down', () => {
  const down = { ...process.env, DATABASE_URL: 'postgresql://trinity:Down-Passw0rd@127.0.0.1:1/trinity', ADMIN_PASSWORD: 'Example-Passw0rd!' };
  const tsNode = (file: string) => [require.resolve('ts-node/dist/bin.js'), path.join(ROOT, 'examples', file)];

  it.each(['plain.ts', 'nest.ts'])('%s exits 1 with one clear line naming the database (the Nest example after its retries)', (file) => {
    const result = spawnSync(process.execPath, tsNode(file), { cwd: ROOT, env: down, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toBe(
      'cannot run the example: database unavailable (postgresql://trinity:***@127.0.0.1:1/trinity): connection refused at 127.0.0.1:1 (ECONNREFUSED): ' +
        'is the PostgreSQL server running and accepting TCP connections there?',
    );
    if (file === 'nest.ts') expect(lines.slice(0, -1).map((l) => /\(retrying (\d\/\d) in 2000 ms\)$/.exec(l)?.[1])).toEqual(['1/3', '2/3', '3/3']);
    else expect(lines).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain('Down-Passw0rd');
  });
});

/**
 * `npm pack`, then `npm install --omit=dev <tarball>` into an empty application (dependencies from
 * the npm registry, or npm's cache when it has them), then the deploy commands run from there. The
 * install skips install scripts and takes better-sqlite3's native binding from this repository's own
 * install (the same pinned version, built for this Node): compiling it again would add a minute and
 * tests better-sqlite3's build, not this package.
 */
describe('the packed package installed into an empty application with --omit=dev', () => {
  let app: string;
  const transcript: string[] = [];

  function sh(command: string, args: string[], env: Record<string, string> = {}) {
    const result = spawnSync(command, args, { cwd: app, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
    transcript.push(`$ ${Object.entries(env).map(([k, v]) => `${k}=${maskUrl(v)} `).join('')}${command} ${args.join(' ')}  # exit ${result.status}`);
    transcript.push(...`${result.stdout}${result.stderr}`.trimEnd().split('\n').map((line) => `  ${line}`));
    return { code: result.status, output: `${result.stdout}${result.stderr}` };
  }

  beforeAll(() => {
    const work = scratchDir();
    app = path.join(work, 'app');
    mkdirSync(app);
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(pack.status).toBe(0);
    const tarball = path.join(work, pack.stdout.trim().split('\n').pop()!);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'deploy-app', version: '1.0.0', private: true }));
    const install = sh('npm', ['install', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball]);
    expect(install.code).toBe(0);
    const binding = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const version = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version;
    expect(version(app)).toBe(version(ROOT));
    mkdirSync(path.dirname(path.join(app, binding)), { recursive: true });
    copyFileSync(path.join(ROOT, binding), path.join(app, binding));
  }, 300_000);

  afterAll(() => console.log(`packed-package deploy run:\n${transcript.join('\n')}`));

  it('has no development tools (no ts-node, TypeScript or jest) and ships dist/ormconfig.js', () => {
    const installed = readdirSync(path.join(app, 'node_modules'));
    for (const tool of ['ts-node', 'typescript', 'jest', 'ts-jest']) expect(installed).not.toContain(tool);
    expect(existsSync(path.join(app, 'node_modules', 'trinity-db', 'dist', 'ormconfig.js'))).toBe(true);
    expect(existsSync(path.join(app, 'node_modules', 'trinity-db', 'src'))).toBe(false);
  });

  it.each(DRIVERS)('deploys on %s: typeorm migration:show/run/revert with dist/ormconfig.js, trinity-db status/check/revert/--version', async (driver) => {
    const url = driver === 'sqlite' ? 'sqlite:///data/trinity.db' : await emptyDatabaseUrl('postgres');
    const env = { DATABASE_URL: url };
    const typeorm = (command: string) => sh('npx', ['--no', 'typeorm', command, '-d', 'node_modules/trinity-db/dist/ormconfig.js'], env);
    const trinityDb = (...args: string[]) => sh('npx', ['--no', '--', 'trinity-db', ...args], env);

    const before = typeorm('migration:show');
    if (driver === 'sqlite') {
      expect(before.code).toBe(1); // read-only: no database there yet, and none created
      expect(before.output).toContain('the SQLite file does not exist');
      expect(existsSync(path.join(app, 'data'))).toBe(false);
    } else {
      expect(before.output).toContain('[ ] Baseline1795608000000');
    }
    expect(trinityDb('status').code).toBe(driver === 'sqlite' ? 1 : 3);
    const migrate = typeorm('migration:run');
    expect(migrate.code).toBe(0);
    expect(migrate.output).toContain('Migration Baseline1795608000000 has been executed successfully');
    expect(typeorm('migration:show').output).toMatch(/\[X\] 1 Baseline1795608000000/);
    const status = trinityDb('status');
    expect(status.code).toBe(0);
    expect(status.output).toContain('1 applied, 0 pending');
    const check = trinityDb('check');
    expect(check.code).toBe(0);
    expect(check.output).toContain('No changes in database schema were found');
    // The only migration is the baseline, which refuses to be reverted: both revert paths reach it.
    for (const revert of [typeorm('migration:revert'), trinityDb('revert')]) {
      expect(revert.code).toBe(1);
      expect(revert.output).toContain('the baseline migration cannot be reverted');
    }
    expect(trinityDb('--version').output.trim()).toBe(`trinity-db ${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}`);
    const load = sh('node', ['-e', `const db = require('trinity-db'); console.log(typeof db.DatabaseManager.open)`]);
    expect(load.output.trim()).toBe('function');
    if (driver === 'postgres') expect(transcript.join('\n')).not.toContain(new URL(url).password);
  }, 240_000);
});
