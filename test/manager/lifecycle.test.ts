/** DatabaseManager.open / transaction / health / close, and the admin bootstrap of the Python start-up. */
import bcrypt from 'bcryptjs';
import { MigrationError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl, legacyFixtureCopy } from '../support/databases';
import { legacyManifest } from '../support/fixtures';
import { withDatabase } from '../support/sqlite-snapshot';

const manifest: { environment: Record<string, string>; files: { file: string }[] } = legacyManifest();
const FIXTURE_ADMIN_PASSWORD: string = manifest.environment.ADMIN_PASSWORD;

const open: DatabaseManager[] = [];
async function openManager(options: Parameters<typeof DatabaseManager.open>[0]) {
  const db = await DatabaseManager.open(options);
  open.push(db);
  return db;
}

afterAll(async () => {
  for (const db of open) await db.close();
  await cleanupTestDatabases();
});

describe.each(DRIVERS)('DatabaseManager on %s', (driver) => {
  it('without a logger prints nothing to stdout, and the operator warnings to stderr; with one, everything goes to it', async () => {
    const written = { stdout: [] as string[], stderr: [] as string[] };
    const spies = (['stdout', 'stderr'] as const).map((stream) =>
      jest.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => (written[stream].push(String(chunk)), true)),
    );
    try {
      await openManager({ url: await emptyDatabaseUrl(driver), env: {} });
      await openManager({ url: await emptyDatabaseUrl(driver), env: { ADMIN_PASSWORD: 'short' } });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(written.stdout).toEqual([]);
    expect(written.stderr.join('')).toContain("no user 'admin' and ADMIN_PASSWORD is empty: no admin account was created");
    expect(written.stderr.join('')).toContain('ADMIN_PASSWORD is shorter than 12 characters');
    expect(written.stderr.join('')).not.toContain('baseline');

    const messages: string[] = [];
    const logSpies = (['stdout', 'stderr'] as const).map((stream) => jest.spyOn(process[stream], 'write'));
    try {
      await openManager({ url: await emptyDatabaseUrl(driver), env: {}, logger: { info: (m) => messages.push(`info ${m}`), warn: (m) => messages.push(`warn ${m}`) } });
      for (const spy of logSpies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of logSpies) spy.mockRestore();
    }
    expect(messages).toContain("warn no user 'admin' and ADMIN_PASSWORD is empty: no admin account was created");
  });

  it('migrates a fresh database, creates the admin with a bcrypt hash, and reports its health', async () => {
    const url = await emptyDatabaseUrl(driver);
    const messages: string[] = [];
    const logger = { info: (m: string) => messages.push(m), warn: (m: string) => messages.push(m) };
    const db = await openManager({ url, env: { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'Str0ng-Passw0rd!' }, logger });
    const admin = await db.getUserByUsername('root');
    expect(admin).toMatchObject({ role: 'admin', email: null });
    expect(admin!.password).toMatch(/^\$2b\$12\$/);
    expect(await bcrypt.compare('Str0ng-Passw0rd!', admin!.password!)).toBe(true);
    expect(messages.join('\n')).not.toContain('Str0ng-Passw0rd!');

    const health = await db.health();
    expect(health).toMatchObject({ driver, migrations: { applied: ['Baseline1795608000000'], pending: [] } });
    expect(health.pool.max).toBeGreaterThanOrEqual(1);
    if (driver === 'postgres') expect(health.url).toMatch(/:\*\*\*@/);
    expect(health.url).not.toContain('trinity-test'); // the embedded server's password
  });

  it('creates no admin without ADMIN_PASSWORD, and the variable wins over a stale hash on restart', async () => {
    const url = await emptyDatabaseUrl(driver);
    const first = await openManager({ url, env: {} });
    expect(await first.getUserByUsername('admin')).toBeNull();
    await first.close();

    const second = await openManager({ url, env: { ADMIN_PASSWORD: 'First-Passw0rd!' } });
    const created = await second.getUserByUsername('admin');
    await second.close();
    const third = await openManager({ url, env: { ADMIN_PASSWORD: 'First-Passw0rd!' } });
    expect((await third.getUserByUsername('admin'))!.password).toBe(created!.password); // verifies: unchanged
    await third.close();
    const fourth = await openManager({ url, env: { ADMIN_PASSWORD: 'Second-Passw0rd!' } });
    const rehashed = await fourth.getUserByUsername('admin');
    expect(await bcrypt.compare('Second-Passw0rd!', rehashed!.password!)).toBe(true);
  });

  it('refuses to start with runMigrations: false while migrations are pending, naming them', async () => {
    const url = await emptyDatabaseUrl(driver);
    const error = await DatabaseManager.open({ url, runMigrations: false, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/1 pending migration\(s\): Baseline1795608000000/);
    const db = await openManager({ url, env: {} });
    await db.close();
    const again = await openManager({ url, runMigrations: false, env: {} });
    expect((await again.health()).migrations.pending).toEqual([]);
  });

  it('rolls a failing transaction back as a whole, and commits a successful one', async () => {
    const db = await openManager({ url: await emptyDatabaseUrl(driver), env: {} });
    await expect(
      db.transaction(async (tx) => {
        await tx.users.createUser({ username: 'in-tx-1' });
        await tx.users.createUser({ username: 'in-tx-2' });
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(await db.getUserByUsername('in-tx-1')).toBeNull();
    expect(await db.users.listUsers()).toEqual([]);

    await db.transaction(async (tx) => {
      await tx.users.createUser({ username: 'kept' });
      await tx.transaction(async (inner) => inner.users.updateUser('kept', { name: 'Kept' }));
    });
    expect(await db.getUserByUsername('kept')).toMatchObject({ name: 'Kept' });
  });

  it('runs concurrent transactions and plain calls without collisions', async () => {
    const db = await openManager({ url: await emptyDatabaseUrl(driver), env: {} });
    const work = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? db.transaction(async (tx) => {
            await tx.users.createUser({ username: `t${i}` });
            if (i % 4 === 0) throw new Error('rollback');
          })
        : db.users.createUser({ username: `p${i}` }),
    );
    const results = await Promise.allSettled(work);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(
      Array(10).fill('rollback'),
    );
    // 20 plain creates + 10 committed transactions; the 10 rolled back left nothing.
    expect((await db.users.listUsers()).length).toBe(30);
  });
});

describe('DatabaseManager on the legacy fixtures', () => {
  it.each(manifest.files.map((f) => [f.file]))('opens a copy of %s, migrates it, and reads the admin', async (file) => {
    const copy = legacyFixtureCopy(file);
    const before = withDatabase(copy.path, (db) => db.prepare(`SELECT password_hash, updated_at FROM users WHERE username = 'admin'`).get());
    const db = await openManager({ url: copy.url, env: { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: FIXTURE_ADMIN_PASSWORD } });
    const admin = await db.getUserByUsername('admin');
    expect(admin).toMatchObject({ username: 'admin', role: 'admin' });
    // The Python layer's $2b$ hash verifies, so nothing was rewritten.
    expect(await bcrypt.compare(FIXTURE_ADMIN_PASSWORD, admin!.password!)).toBe(true);
    await db.close();
    expect(withDatabase(copy.path, (d) => d.prepare(`SELECT password_hash, updated_at FROM users WHERE username = 'admin'`).get())).toEqual(before);
  });
});
