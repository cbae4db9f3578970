/**
 * Reliability: secrets. Plants an MCP key, a subscription token, Telegram and Slack bot
 * tokens, a Nevermined key, ADMIN_PASSWORD and (PostgreSQL) a password in DATABASE_URL; exercises
 * the normal and the failing paths (duplicate keys, a wrong encryption key, a wrong password, a
 * malformed URL) with every log channel captured: the manager's logger, TypeORM's logger with all
 * levels (queries included), console.* and process.stdout/stderr. None of the planted secrets may
 * appear in any log line, error (message, stack or util.inspect), health() or stored row; the MCP key
 * and the admin password are stored only as hashes.
 */
import bcrypt from 'bcryptjs';
import { createHash } from 'crypto';
import { Client } from 'pg';
import type { Logger } from 'typeorm';
import { inspect } from 'util';
import { createDataSource } from '../../src/data-source';
import { TrinityDbError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl, testRoute } from '../support/databases';
import { closeManagers, dumpAllRows, ensureEncryptionKey, trackManager } from '../support/reliability-helpers';
import { repositoriesOn } from '../support/repositories';

const SECRETS = {
  admin: 'Adm1n-Reliability-Passw0rd!',
  subscription: 'sk-ant-oat01-SUBSCRIPTION-SECRET-4711',
  telegram: '987654321:TELEGRAM-BOT-SECRET-4711',
  slack: 'xoxb-SLACK-WORKSPACE-SECRET-4711',
  nevermined: 'nvm-NEVERMINED-SECRET-4711',
  pgPassword: 'PgUrlS3cretPassw0rd4711',
};
const WRONG_KEY = '7a'.repeat(32);

const created: (() => Promise<void>)[] = [];
beforeAll(() => ensureEncryptionKey());
afterAll(async () => {
  await closeManagers();
  while (created.length) await created.pop()!().catch(() => undefined);
  await cleanupTestDatabases();
});

/** A database owned by a new role that logs in with SECRETS.pgPassword (on the shared test server). */
async function passwordProtectedDatabase(): Promise<string> {
  const adminUrl = process.env.TRINITY_TEST_PG_ADMIN_URL!;
  const role = `reliability_secret_${process.pid}`;
  const database = `reliability_secret_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${SECRETS.pgPassword}'`);
    await admin.query(`CREATE DATABASE ${database} OWNER ${role}`);
  } finally {
    await admin.end();
  }
  created.push(async () => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await c.end();
    }
  });
  const url = new URL(adminUrl);
  url.username = role;
  url.password = SECRETS.pgPassword;
  url.pathname = `/${database}`;
  return testRoute(url.toString());
}

class CapturingTypeormLogger implements Logger {
  constructor(private readonly lines: string[]) {}
  logQuery(query: string, parameters?: unknown[]) {
    this.lines.push(`query: ${query} ${inspect(parameters, { depth: 5 })}`);
  }
  logQueryError(error: string | Error, query: string, parameters?: unknown[]) {
    this.lines.push(`query error: ${inspect(error, { depth: 5 })} ${query} ${inspect(parameters, { depth: 5 })}`);
  }
  logQuerySlow(time: number, query: string, parameters?: unknown[]) {
    this.lines.push(`slow: ${time} ${query} ${inspect(parameters, { depth: 5 })}`);
  }
  logSchemaBuild(message: string) {
    this.lines.push(`schema: ${message}`);
  }
  logMigration(message: string) {
    this.lines.push(`migration: ${message}`);
  }
  log(level: string, message: unknown) {
    this.lines.push(`${level}: ${inspect(message, { depth: 5 })}`);
  }
}

/** Everything written to console.* and process.stdout/stderr while `fn` runs (still passed through). */
function captureOutput(lines: string[]): () => void {
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(`console.${level}: ${args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' ')}`);
    }),
  );
  const writes = (['stdout', 'stderr'] as const).map((stream) => {
    const original = process[stream].write.bind(process[stream]);
    return jest.spyOn(process[stream], 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      lines.push(`${stream}: ${String(chunk)}`);
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
  });
  return () => [...spies, ...writes].forEach((spy) => spy.mockRestore());
}

function errorText(error: unknown): string {
  const e = error as { message?: unknown; stack?: unknown };
  return `${String(e?.message)}\n${String(e?.stack)}\n${inspect(error, { depth: 6, showHidden: false })}`;
}

describe.each(DRIVERS)('secrets on %s', (driver) => {
  it('never appear in logs, errors, health() or stored rows; MCP keys and the admin password are stored as hashes', async () => {
    const url = driver === 'postgres' ? await passwordProtectedDatabase() : await emptyDatabaseUrl('sqlite');
    if (driver === 'postgres') expect(url).toContain(SECRETS.pgPassword); // the secret really is in the URL
    const lines: string[] = [];
    const errors: unknown[] = [];
    const managerLogger = {
      info: (m: string) => lines.push(`manager.info: ${m}`),
      warn: (m: string) => lines.push(`manager.warn: ${m}`),
      error: (m: string) => lines.push(`manager.error: ${m}`),
    };
    const restore = captureOutput(lines);
    const typeormLines: string[] = [];
    let mcpKey = '';
    let health: unknown;
    let dump: Record<string, unknown[]> = {};
    let returned: unknown[] = [];
    try {
      const db = trackManager(await DatabaseManager.open({ url, env: { ADMIN_PASSWORD: SECRETS.admin }, logger: managerLogger }));
      // Plant the secrets through the facade.
      const admin = (await db.getUserByUsername('admin'))!;
      const key = (await db.createMcpApiKey('admin', { name: 'planted', description: 'reliability' }))!;
      mcpKey = key.api_key;
      const subscription = await db.createSubscription('planted-subscription', SECRETS.subscription, admin.id, 'max', null);
      const binding = (await db.createTelegramBinding('planted-agent', SECRETS.telegram, 'planted_bot', 4711))!;
      await db.createSlackWorkspace('T-PLANTED', 'Planted', SECRETS.slack, 'admin');
      await db.createOrUpdateNeverminedConfig('planted-agent', SECRETS.nevermined, 'sandbox', 'did:nv:planted', 'plan-planted', 1);

      // Normal reads that must not return a secret (the *Token / *WithKey methods are the only ones that may).
      returned = [
        await db.listMcpApiKeys('admin'),
        await db.listAllMcpApiKeys(),
        await db.getMcpApiKey(key.id, 'admin'),
        await db.validateMcpApiKey(mcpKey),
        await db.getSubscription(subscription.id),
        await db.listSubscriptions(),
        await db.listSubscriptionsWithAgents(),
        await db.getTelegramBinding('planted-agent'),
        await db.getAllTelegramBindings(),
        await db.getNeverminedConfig('planted-agent'),
        await db.listUsers(),
      ];
      // The decrypting methods do return them (so the planted values are really there).
      expect(await db.getSubscriptionToken(subscription.id)).toBe(SECRETS.subscription);
      expect(await db.getTelegramBotToken('planted-agent')).toBe(SECRETS.telegram);
      expect(await db.getSlackWorkspaceBotToken('T-PLANTED')).toBe(SECRETS.slack);
      expect((await db.getNeverminedConfigWithKey('planted-agent'))!.nvm_api_key).toBe(SECRETS.nevermined);
      health = await db.health();

      // Failing paths, with the errors kept for the scan.
      const fail = async (p: Promise<unknown>) => {
        const outcome = await p.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(outcome).toBeDefined();
        errors.push(outcome);
      };
      await fail(db.createTelegramBinding('other-agent', SECRETS.telegram, 'planted_bot', 4711)); // bot_id of another agent
      await fail(db.createUser({ username: 'admin', password: SECRETS.admin }));
      const previousKey = process.env.CREDENTIAL_ENCRYPTION_KEY;
      process.env.CREDENTIAL_ENCRYPTION_KEY = WRONG_KEY;
      try {
        await fail(db.getSubscriptionToken(subscription.id));
        await fail(db.getNeverminedConfigWithKey('planted-agent'));
        expect(await db.getTelegramBotToken('planted-agent')).toBeNull();
        expect(await db.getSlackWorkspaceBotToken('T-PLANTED')).toBe('');
      } finally {
        process.env.CREDENTIAL_ENCRYPTION_KEY = previousKey;
      }
      delete process.env.CREDENTIAL_ENCRYPTION_KEY;
      try {
        await fail(db.createSlackWorkspace('T-NOKEY', 'No key', SECRETS.slack, 'admin'));
        await fail(db.createOrUpdateNeverminedConfig('nokey-agent', SECRETS.nevermined, 'sandbox', 'a', 'p', 1));
      } finally {
        process.env.CREDENTIAL_ENCRYPTION_KEY = previousKey;
      }

      // The same operations through a DataSource with every TypeORM log level on (queries included).
      const ds = createDataSource(url, { logging: 'all', logger: new CapturingTypeormLogger(typeormLines) });
      await ds.initialize();
      try {
        const repos = repositoriesOn(ds);
        expect(await repos.mcpKeys.validateMcpApiKey(mcpKey)).not.toBeNull();
        expect(await repos.subscriptions.getSubscriptionToken(subscription.id)).toBe(SECRETS.subscription);
        await repos.subscriptions.createSubscription('logged-subscription', SECRETS.subscription, admin.id);
        await repos.telegramChannels.createBinding('logged-agent', SECRETS.telegram);
        await repos.slackChannels.createWorkspace('T-LOGGED', null, SECRETS.slack);
        await repos.nevermined.createOrUpdateConfig('logged-agent', SECRETS.nevermined, 'sandbox', 'a', 'p', 1);
        await fail(repos.telegramChannels.createBinding('logged-other', SECRETS.telegram, null, binding.bot_id));
      } finally {
        await ds.destroy();
      }

      // Opening with a wrong password / a malformed URL that carries the password.
      if (driver === 'postgres') {
        const wrong = url.replace(SECRETS.pgPassword, `${SECRETS.pgPassword}-wrong`);
        await fail(DatabaseManager.open({ url: wrong, env: {}, logger: managerLogger }));
        const closedPort = url.replace(/:(\d+)\//, ':1/');
        await fail(DatabaseManager.open({ url: closedPort, env: {}, logger: managerLogger }));
      }
      await fail(DatabaseManager.open({ url: `postgresql://user:${SECRETS.pgPassword}@db.example:notaport/trinity`, env: {} }));
      await fail(DatabaseManager.open({ url: `mysql://user:${SECRETS.pgPassword}@db.example/trinity`, env: {} }));
      dump = await dumpAllRows(db);

      // Hashes: the MCP key as SHA-256 of the plaintext, the admin password as bcrypt.
      expect((dump.mcp_api_keys as { key_hash: string }[]).map((r) => r.key_hash)).toContain(createHash('sha256').update(mcpKey).digest('hex'));
      expect(await bcrypt.compare(SECRETS.admin, admin.password!)).toBe(true);
    } finally {
      restore();
    }

    expect(errors.length).toBe(driver === 'postgres' ? 11 : 9);
    const planted = { ...SECRETS, mcpKey };
    const haystacks: Record<string, string> = {
      'manager logger, console and stdout/stderr': lines.join('\n'),
      'TypeORM logger (all levels)': typeormLines.join('\n'),
      'errors (message, stack, inspect)': errors.map(errorText).join('\n'),
      'health()': `${JSON.stringify(health)}\n${inspect(health, { depth: 6 })}`,
      'stored rows': JSON.stringify(dump),
      'results of non-secret reads': inspect(returned, { depth: 8 }),
    };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, secret] of Object.entries(planted)) if (secret && text.includes(secret)) leaks.push(`${name} in ${where}`);
    }
    expect(leaks).toEqual([]);
    // The masked URL is what health() reports; the query logging really captured queries.
    if (driver === 'postgres') expect((health as { url: string }).url).toMatch(/^postgresql:\/\/reliability_secret_\d+:\*\*\*@/);
    expect(typeormLines.some((l) => l.startsWith('query: '))).toBe(true);
    expect(errors.filter((e) => e instanceof TrinityDbError).length).toBeGreaterThanOrEqual(5);
  });
});
