/**
 * A schema other than public (`?schema=` or DB_SCHEMA): every table, index, sequence and the
 * migrations table live there, migration runs lock per schema, two installs in two schemas of one
 * database never see each other's rows, and `trinity-db copy`, `verify` and `status` honour it. No
 * startup parameter carries it (src/sql/session-settings.ts): runs direct and, in the "pgbouncer"
 * jest project, through PgBouncer in transaction mode.
 */
import { Client } from 'pg';
import { copyDatabase } from '../../src/cli/copy';
import { databaseStatus } from '../../src/cli/status';
import { verifyDatabases } from '../../src/cli/verify';
import { PG_MIGRATION_LOCK_CLASS } from '../../src/data-source';
import type { DatabaseManager } from '../../src/manager';
import { cleanupTestDatabases, createPostgresDatabase } from '../support/databases';
import { closeManagers, openFreshManager, settle } from '../support/reliability-helpers';
import { manifest, migratedFixture } from '../cli/support/cli';

afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inSchema(url: string, schema: string): string {
  return `${url}?schema=${encodeURIComponent(schema)}`;
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Relations per kind (r table, i index, S sequence) in `schema`, from the catalog. */
async function relations(url: string, schema: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT c.relkind AS kind, COUNT(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 GROUP BY c.relkind`,
      [schema],
    );
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
  });
}

async function openIn(url: string, schema: string): Promise<DatabaseManager> {
  return (await openFreshManager('postgres', { url: inSchema(url, schema) })).db;
}

describe('PostgreSQL with a schema of its own', () => {
  it('puts every table, index, sequence and the migrations table in the schema, none in public', async () => {
    const url = await createPostgresDatabase();
    const db = await openIn(url, 'trinity');
    const tables = db.dataSource.entityMetadatas.length;
    expect(await relations(url, 'public')).toEqual({});
    // The same objects as an install in public of another database.
    const plain = await createPostgresDatabase();
    await openFreshManager('postgres', { url: plain });
    const expected = await relations(plain, 'public');
    expect(expected.r).toBe(tables + 1); // + typeorm_migrations
    expect(await relations(url, 'trinity')).toEqual(expected);
    const health = await db.health();
    expect(health.migrations.pending).toEqual([]);
    expect(health.migrations.head).toBe(health.migrations.applied[health.migrations.applied.length - 1]);
  });

  it('two installs in two schemas of one database do not see each other, in statements and in transactions', async () => {
    const url = await createPostgresDatabase();
    const [alpha, beta] = [await openIn(url, 'alpha'), await openIn(url, 'beta')];
    const alice = await alpha.createUser({ username: 'alice', email: 'alice@example.com' });
    const bob = await beta.createUser({ username: 'bob', email: 'bob@example.com' });
    // Each schema has its own sequences.
    expect([alice.id, bob.id]).toEqual([1, 1]);
    await alpha.setSetting('shared-key', 'alpha-value');
    await beta.transaction((tx) => tx.setSetting('shared-key', 'beta-value'));
    expect(await alpha.getSettingValue('shared-key')).toBe('alpha-value');
    expect(await beta.getSettingValue('shared-key')).toBe('beta-value');
    expect(await alpha.transaction((tx) => tx.getSettingValue('shared-key'))).toBe('alpha-value');
    expect((await alpha.listUsers()).map((u) => u.username)).toEqual(['alice']);
    expect((await beta.listUsers()).map((u) => u.username)).toEqual(['bob']);
    expect(await alpha.getUserByUsername('bob')).toBeNull();
    await alpha.registerAgentOwner('agent-a', 'alice');
    expect(await beta.getAgentOwner('agent-a')).toBeNull();
  });

  it('DB_SCHEMA selects the schema when the URL has none; a mixed-case name is kept verbatim', async () => {
    const url = await createPostgresDatabase();
    const saved = process.env.DB_SCHEMA;
    process.env.DB_SCHEMA = 'from_env';
    let db: DatabaseManager;
    try {
      ({ db } = await openFreshManager('postgres', { url }));
    } finally {
      if (saved === undefined) delete process.env.DB_SCHEMA;
      else process.env.DB_SCHEMA = saved;
    }
    await db.setSetting('where', 'env');
    expect((await relations(url, 'from_env')).r).toBeGreaterThan(40);
    const odd = await openIn(url, 'Tenant_One');
    await odd.setSetting('where', 'odd');
    expect((await relations(url, 'Tenant_One')).r).toBeGreaterThan(40);
    expect(await relations(url, 'tenant_one')).toEqual({});
    expect(await db.getSettingValue('where')).toBe('env');
    expect(await odd.getSettingValue('where')).toBe('odd');
    expect(await relations(url, 'public')).toEqual({});
  });

  it('migration runs lock per schema: a run holding one schema does not hold up another', async () => {
    const url = await createPostgresDatabase();
    await withClient(url, async (other) => {
      // Another process's run on schema "held" keeps the lock for the schema "held".
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PG_MIGRATION_LOCK_CLASS, 'held']);
      let heldOpened = false;
      const held = openIn(url, 'held').then((db) => {
        heldOpened = true;
        return db;
      });
      const free = await openIn(url, 'free');
      expect((await free.health()).migrations.pending).toEqual([]);
      await sleep(500);
      expect(heldOpened).toBe(false);
      await other.query('COMMIT');
      expect((await (await held).health()).migrations.pending).toEqual([]);
    });
  });

  it('three first runs on a new schema at once: one creates and migrates it, the others find nothing pending', async () => {
    const url = await createPostgresDatabase();
    const managers = await Promise.all([openIn(url, 'raced'), openIn(url, 'raced'), openIn(url, 'raced')]);
    for (const db of managers) expect((await db.health()).migrations.pending).toEqual([]);
    const applied = await withClient(url, async (client) => (await client.query('SELECT name FROM raced.typeorm_migrations')).rows.map((r) => r.name));
    expect(applied).toEqual((await managers[0].health()).migrations.applied);
  });

  it('trinity-db copy, verify and status honour ?schema=', async () => {
    const smallest = [...manifest.files].sort(
      (a, b) => Object.values(a.row_counts).reduce((x, y) => x + y, 0) - Object.values(b.row_counts).reduce((x, y) => x + y, 0),
    )[0];
    const source = await migratedFixture(smallest.file);
    const url = await createPostgresDatabase();
    const target = inSchema(url, 'copied');
    const report = await copyDatabase({ from: source.url, to: target });
    expect(report.verify?.ok).toBe(true);
    expect(report.totalRows).toBeGreaterThan(0);
    expect(await relations(url, 'public')).toEqual({});
    expect((await verifyDatabases(source.url, target)).ok).toBe(true);
    // The same database without the schema holds nothing to compare with.
    expect((await verifyDatabases(source.url, url)).ok).toBe(false);
    const status = await databaseStatus(target);
    expect(status.migrations.pending).toEqual([]);
    expect(status.rows.find((r) => r.table === 'users')!.rows).toBe(smallest.row_counts.users ?? 0);
    expect((await databaseStatus(url)).migrations.unmigrated).toBe(true);
    // Ids continue after the copied ones in the schema's own sequences.
    const outcome = await settle(openIn(url, 'copied').then((db) => db.createUser({ username: 'after-copy' })));
    expect(outcome.ok).toBe(true);
  });
});
