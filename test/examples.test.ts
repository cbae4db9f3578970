/**
 * The package as a backend uses it: the build emits JavaScript and declarations, `require('trinity-db')`
 * works from plain JavaScript, and the README's examples (examples/*.ts) run as written on both drivers.
 */
import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';
import { DRIVERS, THROUGH_PGBOUNCER, cleanupTestDatabases, emptyDatabaseUrl } from './support/databases';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

afterAll(cleanupTestDatabases);

// Built once per run, by the direct project (the pgbouncer project runs the examples on that build).
beforeAll(async () => {
  if (!THROUGH_PGBOUNCER) await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
}, 180_000);

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
