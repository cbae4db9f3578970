/**
 * Reliability: faults.
 * - PostgreSQL restarted under an open manager (a private embedded server, never the shared one):
 *   calls during the outage fail promptly with a typed error that names the database as unavailable
 *   (masked URL, no password); calls after it succeed on the same manager, and nothing attempted
 *   during the outage was stored.
 * - A transaction(fn) or a migration that fails half-way leaves every table exactly as it was.
 * - SQLite files that cannot be used: a directory that cannot be created, a read-only file, a file
 *   locked by another connection: DatabaseManager.open() fails within the busy timeout with a typed
 *   error naming the file, instead of hanging or failing at the first write.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'child_process';
import { writeFileSync } from 'fs';
import path from 'path';
import { inspect } from 'util';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ConfigError } from '../../src/config';
import { createDataSource, MIGRATIONS_TABLE } from '../../src/data-source';
import { TrinityDbError, UniqueConstraintError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { MIGRATIONS } from '../../src/migration';
import { DRIVERS, cleanupTestDatabases, scratchDir } from '../support/databases';
import {
  closeManagers,
  describeError,
  dumpAllRows,
  ensureEncryptionKey,
  openFreshManager,
  openOutageManager,
  plantSentinels,
  settle,
  startPrivatePostgres,
  trackManager,
  type PrivatePostgres,
} from '../support/reliability-helpers';

const REPORT = process.env.RELIABILITY_REPORT === '1';

beforeAll(() => ensureEncryptionKey());
afterAll(async () => {
  await closeManagers();
  await cleanupTestDatabases();
});

describe('PostgreSQL restarted while the manager is open', () => {
  const PASSWORD = 'Outage-S3cret-Pw';
  let server: PrivatePostgres | undefined;
  afterAll(async () => {
    await closeManagers();
    await server?.dispose();
  });

  it('fails calls during the outage and serves calls after it on the same manager', async () => {
    server = await startPrivatePostgres(PASSWORD);
    const db = await openOutageManager(server);
    await db.setSetting('before', 'kept');
    await db.createUser({ username: 'before-outage' });

    await server.stop();
    const started = process.hrtime.bigint();
    const during = [
      await settle(db.getSettingValue('before')),
      await settle(db.setSetting('during', 'lost')),
      await settle(db.createUser({ username: 'during-outage' })),
      await settle(db.transaction(async (tx) => tx.setSetting('during-tx', 'lost'))),
      await settle(db.health()),
    ];
    const outageMs = Number(process.hrtime.bigint() - started) / 1e6;
    for (const outcome of during) {
      expect(outcome.ok).toBe(false);
      const error = (outcome as { error: unknown }).error;
      expect(typeof (error as Error).message).toBe('string'); // a real error, not a non-Error throw
      expect(describeError(error)).toMatch(/^\w+Error/);
      expect(error).toBeInstanceOf(TrinityDbError);
      expect((error as Error).message).toMatch(/unavailable|unreachable|cannot connect|connection/i);
      expect((error as Error).message).toContain('postgresql://postgres:***@127.0.0.1');
      expect(String((error as Error).message)).not.toContain(PASSWORD);
      expect(String((error as Error).stack)).not.toContain(PASSWORD);
      expect(inspect(error, { depth: 6 })).not.toContain(PASSWORD);
    }

    await server.start();
    // No reopen, no retry: the very first call after the restart must work.
    expect(await db.getSettingValue('before')).toBe('kept');
    await expect(db.setSetting('after', 'stored')).resolves.toMatchObject({ key: 'after', value: 'stored' });
    expect(await db.getSettingValue('during')).toBeNull();
    expect(await db.getSettingValue('during-tx')).toBeNull();
    expect(await db.getUserByUsername('during-outage')).toBeNull();
    expect((await db.getUserByUsername('before-outage'))?.username).toBe('before-outage');
    expect((await db.health()).migrations.pending).toEqual([]);
    if (REPORT) console.log(`[reliability] postgres outage: 5 calls failed in ${outageMs.toFixed(0)} ms; errors: ${during.map((d) => describeError((d as { error: unknown }).error)).join(' | ')}`);
  });
});

/** Writes into an existing table, creates a table, then fails. */
class WriteThenFail1795608000002 implements MigrationInterface {
  name = 'WriteThenFail1795608000002';
  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`UPDATE system_settings SET value = 'overwritten-by-migration'`);
    await qr.query(`DELETE FROM agent_tags`);
    await qr.query('CREATE TABLE reliability_probe (id integer)');
    await qr.query('INSERT INTO reliability_probe VALUES (1)');
    throw new Error('migration failed half-way');
  }
  async down(): Promise<void> {
    // never applied
  }
}

describe.each(DRIVERS)('failures half-way on %s', (driver) => {
  it('a transaction(fn) that fails half-way (a UNIQUE violation after writes to nine tables) leaves every table as it was', async () => {
    const { db } = await openFreshManager(driver);
    await plantSentinels(db);
    const before = await dumpAllRows(db);
    const error = await db
      .transaction(async (tx) => {
        const user = await tx.createUser({ username: 'tx-user', email: 'tx@example.com' });
        await tx.setSetting('sentinel-setting', 'overwritten-in-tx');
        await tx.setSetting('tx-setting', 'new');
        await tx.registerAgentOwner('tx-agent', 'tx-user');
        await tx.setAgentTags('sentinel-agent', ['replaced']);
        await tx.createMcpApiKey('tx-user', { name: 'tx-key' });
        await tx.addToWhitelist('tx@example.com', 'tx-user');
        await tx.deleteAgentPermissions('sentinel-agent');
        const session = await tx.getOrCreateChatSession('tx-agent', user.id, 'tx@example.com');
        await tx.addChatMessage(session.id, 'tx-agent', user.id, 'tx@example.com', 'user', 'hello');
        await tx.createUser({ username: 'sentinel-user' }); // fails inside the database
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueConstraintError);
    expect(await dumpAllRows(db)).toEqual(before);
    // The manager is still usable afterwards (no transaction left open on the connection).
    await expect(db.setSetting('after', 'ok')).resolves.toMatchObject({ value: 'ok' });
  });

  it('a transaction(fn) whose callback throws after writes leaves every table as it was', async () => {
    const { db } = await openFreshManager(driver);
    await plantSentinels(db);
    const before = await dumpAllRows(db);
    await expect(
      db.transaction(async (tx) => {
        await tx.renameAgent('sentinel-agent', 'renamed-agent');
        await tx.setAgentSkills('sentinel-agent', ['a', 'b'], 'sentinel-user');
        await tx.updateUser('sentinel-user', { name: 'changed' });
        await tx.recordPublicLinkUsage('link', null, '10.1.1.1');
        throw new Error('callback failed');
      }),
    ).rejects.toThrow('callback failed');
    expect(await dumpAllRows(db)).toEqual(before);
  });

  it('a migration that fails half-way (after UPDATE, DELETE, CREATE TABLE, INSERT) leaves the database as it was', async () => {
    const { db, url } = await openFreshManager(driver);
    await plantSentinels(db);
    const before = await dumpAllRows(db);
    await db.close();

    const ds = createDataSource(url, { migrations: [...MIGRATIONS[driver], WriteThenFail1795608000002] });
    await ds.initialize();
    try {
      await expect(ds.runMigrations()).rejects.toThrow('migration failed half-way');
      expect(await ds.createQueryRunner().hasTable('reliability_probe')).toBe(false);
      const recorded = (await ds.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).map((r: { name: string }) => r.name);
      expect(recorded).toEqual(MIGRATIONS[driver].map((m) => new m().name ?? m.name));
    } finally {
      await ds.destroy();
    }
    const reopened = trackManager(await DatabaseManager.open({ url, env: {}, runMigrations: false }));
    expect(await dumpAllRows(reopened)).toEqual(before);
  });
});

function makeImmutable(file: string): () => void {
  // As root, file modes do not stop writes; the immutable attribute does.
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', file]);
    return () => execFileSync('chattr', ['-i', file]);
  }
  execFileSync('chmod', ['0444', file]);
  return () => execFileSync('chmod', ['0644', file]);
}

describe('SQLite files that cannot be used', () => {
  it('a directory that cannot be created: ConfigError at open() naming the directory and the cause', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    const error = await DatabaseManager.open({ url: `sqlite:///${file}/data/trinity.db`, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`cannot create directory '${file}/data'`);
    expect((error as Error).message).toMatch(/ENOTDIR/);
  });

  it('a read-only database file is refused at open() (not at the first write), naming the file', async () => {
    const { db, url } = await openFreshManager('sqlite');
    await db.close();
    const file = url.replace(/^sqlite:\/\/\//, '');
    const undo = makeImmutable(file);
    let outcome: Awaited<ReturnType<typeof settle>>;
    try {
      outcome = await settle(DatabaseManager.open({ url: `${url}?timeout=0.3`, env: {} }));
      if (outcome.ok) {
        // Show what happens instead: the first write fails.
        const write = await settle((outcome.value as DatabaseManager).setSetting('k', 'v'));
        await (outcome.value as DatabaseManager).close();
        throw new Error(`open() succeeded on a read-only file; the first write then gave: ${write.ok ? 'success' : describeError(write.error)}`);
      }
    } finally {
      undo();
    }
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(TrinityDbError);
    expect((error as Error).message).toMatch(/read-?only/i);
    expect((error as Error).message).toContain(file);
  }, 20_000);

  it('a fresh file exclusively locked by another connection: open() fails within the busy timeout, and works once the lock is gone', async () => {
    const file = path.join(scratchDir(), 'locked.db');
    const holder = new Database(file);
    holder.exec('CREATE TABLE other_process (x integer)');
    holder.exec('BEGIN EXCLUSIVE');
    holder.exec('INSERT INTO other_process VALUES (1)');
    const url = `sqlite:///${file}?timeout=0.3`;
    let outcome: Awaited<ReturnType<typeof settle>>;
    try {
      outcome = await settle(DatabaseManager.open({ url, env: {} }));
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: unknown }).error;
    expect(describeError(error)).toMatch(/^\w+Error/);
    expect(error).toBeInstanceOf(TrinityDbError);
    expect((error as Error).message).toMatch(/locked|busy/i);
    expect((error as Error).message).toContain(file);
    // Once the other connection is gone the same URL opens (nothing half-done was left behind).
    const db = trackManager(await DatabaseManager.open({ url, env: {} }));
    expect((await db.health()).migrations.pending).toEqual([]);
  }, 20_000);

  it('a migrated WAL file held in exclusive locking mode by another connection: open() fails within the busy timeout (DB_SQLITE_BUSY_TIMEOUT)', async () => {
    const { db, url } = await openFreshManager('sqlite');
    await db.close();
    const file = url.replace(/^sqlite:\/\/\//, '');
    const holder = new Database(file);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    let outcome: Awaited<ReturnType<typeof settle>>;
    const previous = process.env.DB_SQLITE_BUSY_TIMEOUT;
    process.env.DB_SQLITE_BUSY_TIMEOUT = '0.3';
    try {
      outcome = await settle(DatabaseManager.open({ url, env: {} }));
    } finally {
      if (previous === undefined) delete process.env.DB_SQLITE_BUSY_TIMEOUT;
      else process.env.DB_SQLITE_BUSY_TIMEOUT = previous;
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(outcome.ok).toBe(false);
    expect(typeof ((outcome as { error: unknown }).error as Error).message).toBe('string');
  }, 20_000);
});
