import { randomBytes } from 'crypto';
import type { EntityManager } from 'typeorm';
import type { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import * as entities from '../../src/entity';
import { tableSpecOf } from '../../src/entity/columns';
import { InputValidationError } from '../../src/errors';
import { AgentRepository, RENAMED_AGENT_COLUMNS } from '../../src/repository/agent.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { raw, type TestClock } from '../support/helpers';
import { openRepository, repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

/** The entity class of a table, by legacy table name. */
function entityOf(table: string): Function {
  for (const value of Object.values(entities)) {
    if (typeof value !== 'function') continue;
    try {
      if (tableSpecOf(value).tableName === table) return value;
    } catch {
      // not an entity (a decorator function)
    }
  }
  throw new Error(`no entity for ${table}`);
}

/**
 * Inserts a row through TypeORM with the given legacy column values; every other NOT NULL column
 * without a default gets a dummy value of its kind (a unique string for text keys).
 */
async function insertRow(manager: EntityManager, table: string, values: Record<string, unknown>): Promise<void> {
  const entity = entityOf(table);
  const row: Record<string, unknown> = {};
  for (const column of tableSpecOf(entity).columns) {
    if (column.name in values) row[column.propertyName] = values[column.name];
    else if (column.kind === 'id' || (column.nullable && !column.primary) || column.default !== undefined) continue;
    else if (column.kind === 'text') row[column.propertyName] = `x-${randomBytes(6).toString('hex')}`;
    else if (column.kind === 'int' || column.kind === 'bigint' || column.kind === 'real') row[column.propertyName] = 1;
    else if (column.kind === 'bool') row[column.propertyName] = false;
    else if (column.kind === 'timestamp') row[column.propertyName] = new Date('2026-02-01T00:00:00Z');
    else if (column.kind === 'json') row[column.propertyName] = {};
  }
  await manager.getRepository(entity).insert(row);
}

/** One row under `agent` in every column renameAgent rewrites (permissions: one row per side). */
async function seedAgentEverywhere(manager: EntityManager, agent: string, partner: string): Promise<void> {
  for (const [table, column] of RENAMED_AGENT_COLUMNS) {
    if (table === 'agent_ownership' || table === 'agent_sharing') continue;
    if (table === 'agent_permissions') {
      await insertRow(manager, table, column === 'source_agent' ? { source_agent: agent, target_agent: partner } : { source_agent: partner, target_agent: agent });
    } else {
      await insertRow(manager, table, { [column]: agent });
    }
  }
}

/** Every row of every renamed table plus the ones that must never be renamed, in a stable order. */
async function snapshot(ds: TrinityDataSource, except: string[] = []): Promise<Record<string, string[]>> {
  const tables = [...new Set(RENAMED_AGENT_COLUMNS.map(([t]) => t)), 'agent_notifications', 'users'].filter((t) => !except.includes(t));
  const result: Record<string, string[]> = {};
  for (const table of tables) {
    const rows: Record<string, unknown>[] = await ds.query(`SELECT * FROM ${table}`);
    result[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return result;
}

async function countWhere(ds: TrinityDataSource, driver: Driver, table: string, column: string, value: string): Promise<number> {
  const rows = await raw(ds, driver, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`, [value]);
  return Number(rows[0].n);
}

describe.each(DRIVERS)('AgentRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  let time: TestClock;
  let agents: AgentRepository;
  let users: UserRepository;
  const rawSql = (sql: string, params: unknown[] = []) => raw(ds, driver, sql, params);

  beforeAll(async () => {
    ({ ds, time, repository: agents } = await openRepository(driver, AgentRepository));
    users = repositoryOn(ds, UserRepository, { clock: time.clock });
  });

  beforeEach(() => time.set('2026-03-01T10:00:00.123Z'));

  const user = (username: string, options: { role?: string; email?: string } = {}) =>
    users.createUser({ username, role: options.role ?? 'user', email: options.email ?? `${username}@x.com` });

  describe('ownership', () => {
    it('registers an owner once; a duplicate returns false and keeps the owner', async () => {
      const alice = await user('reg-alice');
      await user('reg-bob');
      expect(await agents.registerAgentOwner('reg-agent', 'reg-alice')).toBe(true);
      expect(await agents.getAgentOwner('reg-agent')).toEqual({
        id: expect.any(Number),
        agent_name: 'reg-agent',
        owner_id: alice.id,
        owner_username: 'reg-alice',
        created_at: new Date('2026-03-01T10:00:00.123Z'),
        is_system: false,
      });
      expect(await agents.registerAgentOwner('reg-agent', 'reg-bob')).toBe(false);
      expect((await agents.getAgentOwner('reg-agent'))?.owner_username).toBe('reg-alice');
      // Every other column took its database default.
      const [row] = await rawSql(`SELECT max_parallel_tasks, execution_timeout_seconds, use_platform_api_key, autonomy_enabled FROM agent_ownership WHERE agent_name = ?`, ['reg-agent']);
      expect({ ...row, use_platform_api_key: Boolean(row.use_platform_api_key), autonomy_enabled: Boolean(row.autonomy_enabled) }).toEqual({
        max_parallel_tasks: 3,
        execution_timeout_seconds: 900,
        use_platform_api_key: true,
        autonomy_enabled: false,
      });
    });

    it('sets (never clears) the system flag on a duplicate registration, still returning false', async () => {
      await user('sys-owner');
      expect(await agents.registerAgentOwner('sys-agent', 'sys-owner')).toBe(true);
      expect(await agents.registerAgentOwner('sys-agent', 'sys-owner', true)).toBe(false);
      expect(await agents.isSystemAgent('sys-agent')).toBe(true);
      expect(await agents.registerAgentOwner('sys-agent', 'sys-owner', false)).toBe(false);
      expect((await agents.getAgentOwner('sys-agent'))?.is_system).toBe(true);
    });

    it('writes nothing for an unknown owner and rejects bad input by field', async () => {
      expect(await agents.registerAgentOwner('ghost-agent', 'nobody')).toBe(false);
      expect(await countWhere(ds, driver, 'agent_ownership', 'agent_name', 'ghost-agent')).toBe(0);
      await expect(agents.registerAgentOwner('', 'x')).rejects.toMatchObject({ name: 'InputValidationError', field: 'agentName' });
      await expect(agents.registerAgentOwner('a', 'x', 'yes' as never)).rejects.toMatchObject({ field: 'isSystem' });
    });

    it('returns no owner once the owner user is gone, although the row remains', async () => {
      const gone = await user('gone-owner');
      await agents.registerAgentOwner('orphan-agent', 'gone-owner', true);
      await rawSql(`DELETE FROM users WHERE id = ?`, [gone.id]);
      expect(await agents.getAgentOwner('orphan-agent')).toBeNull();
      expect(await countWhere(ds, driver, 'agent_ownership', 'agent_name', 'orphan-agent')).toBe(1);
      // The flag is read through the (inner-joined) owner: invisible now.
      expect(await agents.isSystemAgent('orphan-agent')).toBe(false);
      expect(await agents.getAgentOwner('never-registered')).toBeNull();
    });

    it('lists the agents of an owner in registration order', async () => {
      await user('list-owner');
      await user('list-other');
      for (const name of ['list-c', 'list-a', 'list-b']) await agents.registerAgentOwner(name, 'list-owner');
      await agents.registerAgentOwner('list-z', 'list-other');
      expect(await agents.getAgentsByOwner('list-owner')).toEqual(['list-c', 'list-a', 'list-b']);
      expect(await agents.getAgentsByOwner('nobody')).toEqual([]);
    });

    it('deletes ownership with its shares only; false when only shares existed', async () => {
      await user('del-owner');
      await agents.registerAgentOwner('del-agent', 'del-owner');
      await agents.shareAgent('del-agent', 'del-owner', 'friend@x.com');
      await insertRow(ds.manager, 'agent_tags', { agent_name: 'del-agent', tag: 'keep' });
      expect(await agents.deleteAgentOwnership('del-agent')).toBe(true);
      expect(await agents.getAgentOwner('del-agent')).toBeNull();
      expect(await countWhere(ds, driver, 'agent_sharing', 'agent_name', 'del-agent')).toBe(0);
      expect(await countWhere(ds, driver, 'agent_tags', 'agent_name', 'del-agent')).toBe(1);
      await insertRow(ds.manager, 'agent_sharing', { agent_name: 'del-orphan', shared_with_email: 'a@x.com', shared_by_id: 1, created_at: new Date() });
      expect(await agents.deleteAgentOwnership('del-orphan')).toBe(false);
      expect(await countWhere(ds, driver, 'agent_sharing', 'agent_name', 'del-orphan')).toBe(0);
    });

    it('grants access to admins (even for unknown agents), owners and shared users', async () => {
      await user('acc-admin', { role: 'admin' });
      await user('acc-owner');
      await user('acc-friend', { email: 'Acc.Friend@X.com' });
      await user('acc-stranger');
      await agents.registerAgentOwner('acc-agent', 'acc-owner');
      await agents.shareAgent('acc-agent', 'acc-owner', 'acc.friend@x.com');
      expect(await agents.canUserAccessAgent('acc-admin', 'no-such-agent')).toBe(true);
      expect(await agents.canUserAccessAgent('acc-owner', 'acc-agent')).toBe(true);
      expect(await agents.canUserAccessAgent('acc-friend', 'acc-agent')).toBe(true);
      expect(await agents.canUserAccessAgent('acc-stranger', 'acc-agent')).toBe(false);
      expect(await agents.canUserAccessAgent('nobody', 'acc-agent')).toBe(false);
    });

    it('protects system agents from deletion and renaming, even for admins', async () => {
      await user('prot-admin', { role: 'admin' });
      await user('prot-owner');
      await user('prot-friend');
      await agents.registerAgentOwner('prot-sys', 'prot-owner', true);
      await agents.registerAgentOwner('prot-agent', 'prot-owner');
      await agents.shareAgent('prot-agent', 'prot-owner', 'prot-friend@x.com');
      for (const check of [agents.canUserDeleteAgent.bind(agents), agents.canUserRenameAgent.bind(agents)]) {
        expect(await check('prot-admin', 'prot-sys')).toBe(false);
        expect(await check('prot-owner', 'prot-sys')).toBe(false);
        expect(await check('prot-admin', 'prot-agent')).toBe(true);
        expect(await check('prot-admin', 'no-such-agent')).toBe(true);
        expect(await check('prot-owner', 'prot-agent')).toBe(true);
        expect(await check('prot-friend', 'prot-agent')).toBe(false);
        expect(await check('nobody', 'prot-agent')).toBe(false);
      }
    });

    it('knows trinity-system by name without a row; other agents by the DB flag', async () => {
      expect(await agents.isSystemAgent('trinity-system')).toBe(true);
      expect(await agents.isSystemAgent('unknown-agent')).toBe(false);
      await user('flag-owner');
      await agents.registerAgentOwner('flag-plain', 'flag-owner');
      expect(await agents.isSystemAgent('flag-plain')).toBe(false);
      await agents.registerAgentOwner('flag-sys', 'flag-owner', true);
      expect(await agents.isSystemAgent('flag-sys')).toBe(true);
    });
  });

  describe('sharing', () => {
    it('shares with a lower-cased email and returns the AgentShare', async () => {
      const owner = await user('sh-owner', { email: 'Sh.Owner@X.com' });
      await agents.registerAgentOwner('sh-agent', 'sh-owner');
      time.set('2026-03-02T08:00:00Z');
      expect(await agents.shareAgent('sh-agent', 'sh-owner', 'Friend@Example.COM')).toEqual({
        id: expect.any(Number),
        agent_name: 'sh-agent',
        shared_with_email: 'friend@example.com',
        shared_by_id: owner.id,
        shared_by_email: 'Sh.Owner@X.com',
        created_at: new Date('2026-03-02T08:00:00Z'),
      });
      // Already shared, in any case: null.
      expect(await agents.shareAgent('sh-agent', 'sh-owner', 'FRIEND@example.com')).toBeNull();
      // Self-share guard compares case-insensitively.
      expect(await agents.shareAgent('sh-agent', 'sh-owner', 'sh.owner@x.COM')).toBeNull();
      const shares = await agents.getAgentShares('sh-agent');
      expect(shares.map((s) => s.shared_with_email)).toEqual(['friend@example.com']);
    });

    it('refuses unknown owners and users who are neither owner nor admin; admins share any name', async () => {
      await user('sh2-owner');
      await user('sh2-other');
      await user('sh2-admin', { role: 'admin' });
      await agents.registerAgentOwner('sh2-agent', 'sh2-owner');
      expect(await agents.shareAgent('sh2-agent', 'nobody', 'a@x.com')).toBeNull();
      expect(await agents.shareAgent('sh2-agent', 'sh2-other', 'a@x.com')).toBeNull();
      expect(await agents.shareAgent('sh2-unregistered', 'sh2-admin', 'a@x.com')).toMatchObject({ agent_name: 'sh2-unregistered', shared_with_email: 'a@x.com' });
      await expect(agents.shareAgent('sh2-agent', 'sh2-owner', 7 as never)).rejects.toBeInstanceOf(InputValidationError);
      expect(await agents.getAgentShares('sh2-agent')).toEqual([]);
    });

    it('does not guard an owner without email; the sharer falls back to the username', async () => {
      const owner = await user('sh3-owner');
      await rawSql(`UPDATE users SET email = NULL WHERE id = ?`, [owner.id]);
      await agents.registerAgentOwner('sh3-agent', 'sh3-owner');
      const share = await agents.shareAgent('sh3-agent', 'sh3-owner', 'sh3-owner@x.com');
      expect(share).toMatchObject({ shared_with_email: 'sh3-owner@x.com', shared_by_email: 'sh3-owner' });
      expect((await agents.getAgentShares('sh3-agent'))[0]).toMatchObject({ shared_by_email: 'sh3-owner' });
    });

    it('lists shares newest first, drops shares of deleted sharers, reads an empty sharer email as "unknown"', async () => {
      await user('sh4-owner');
      const admin = await user('sh4-admin', { role: 'admin' });
      const blank = await user('sh4-blank', { role: 'admin' });
      await agents.registerAgentOwner('sh4-agent', 'sh4-owner');
      time.set('2026-03-03T00:00:00Z');
      await agents.shareAgent('sh4-agent', 'sh4-owner', 'first@x.com');
      time.set('2026-03-04T00:00:00Z');
      await agents.shareAgent('sh4-agent', 'sh4-admin', 'second@x.com');
      time.set('2026-03-05T00:00:00Z');
      await agents.shareAgent('sh4-agent', 'sh4-blank', 'third@x.com');
      await rawSql(`UPDATE users SET email = '' WHERE id = ?`, [blank.id]);
      expect((await agents.getAgentShares('sh4-agent')).map((s) => [s.shared_with_email, s.shared_by_email, s.created_at])).toEqual([
        ['third@x.com', 'unknown', new Date('2026-03-05T00:00:00Z')],
        ['second@x.com', 'sh4-admin@x.com', new Date('2026-03-04T00:00:00Z')],
        ['first@x.com', 'sh4-owner@x.com', new Date('2026-03-03T00:00:00Z')],
      ]);
      await rawSql(`DELETE FROM users WHERE id = ?`, [admin.id]);
      expect((await agents.getAgentShares('sh4-agent')).map((s) => s.shared_with_email)).toEqual(['third@x.com', 'first@x.com']);
    });

    it('unshares only for owner or admin, matching the email in any case', async () => {
      await user('un-owner');
      await user('un-other');
      await agents.registerAgentOwner('un-agent', 'un-owner');
      await agents.shareAgent('un-agent', 'un-owner', 'pal@x.com');
      expect(await agents.unshareAgent('un-agent', 'un-other', 'pal@x.com')).toBe(false);
      expect(await agents.unshareAgent('un-agent', 'un-owner', 'PAL@X.com')).toBe(true);
      expect(await agents.unshareAgent('un-agent', 'un-owner', 'pal@x.com')).toBe(false);
    });

    it('finds agents shared with a user through the lower-cased user email', async () => {
      await user('sa-owner');
      await user('sa-friend', { email: 'SA.Friend@X.com' });
      const noEmail = await user('sa-noemail');
      await rawSql(`UPDATE users SET email = NULL WHERE id = ?`, [noEmail.id]);
      for (const name of ['sa-2', 'sa-1']) {
        await agents.registerAgentOwner(name, 'sa-owner');
        await agents.shareAgent(name, 'sa-owner', 'sa.friend@x.com');
      }
      expect(await agents.getSharedAgents('sa-friend')).toEqual(['sa-2', 'sa-1']);
      expect(await agents.isAgentSharedWithUser('sa-1', 'sa-friend')).toBe(true);
      expect(await agents.isAgentSharedWithUser('sa-1', 'sa-owner')).toBe(false);
      expect(await agents.isAgentSharedWithUser('sa-1', 'nobody')).toBe(false);
      expect(await agents.getSharedAgents('sa-noemail')).toEqual([]);
      expect(await agents.isAgentSharedWithUser('sa-1', 'sa-noemail')).toBe(false);
      expect(await agents.getSharedAgents('nobody')).toEqual([]);
    });

    it('lets admins and owners share; false (not null) when the agent has no owner row', async () => {
      await user('cs-owner');
      await user('cs-admin', { role: 'admin' });
      await agents.registerAgentOwner('cs-agent', 'cs-owner');
      expect(await agents.canUserShareAgent('cs-owner', 'cs-agent')).toBe(true);
      expect(await agents.canUserShareAgent('cs-admin', 'cs-none')).toBe(true);
      expect(await agents.canUserShareAgent('cs-owner', 'cs-none')).toBe(false);
      expect(await agents.canUserShareAgent('nobody', 'cs-agent')).toBe(false);
    });

    it('deletes all shares of an agent and returns the count', async () => {
      await user('ds-owner');
      await agents.registerAgentOwner('ds-agent', 'ds-owner');
      for (const email of ['a@x.com', 'b@x.com', 'c@x.com']) await agents.shareAgent('ds-agent', 'ds-owner', email);
      expect(await agents.deleteAgentShares('ds-agent')).toBe(3);
      expect(await agents.deleteAgentShares('ds-agent')).toBe(0);
    });
  });

  describe('resources', () => {
    it('reads and writes resource limits; an omitted limit is cleared, both NULL read as null', async () => {
      await user('res-owner');
      await agents.registerAgentOwner('res-agent', 'res-owner');
      expect(await agents.getResourceLimits('res-agent')).toBeNull();
      expect(await agents.getResourceLimits('res-none')).toBeNull();
      expect(await agents.setResourceLimits('res-agent', '8g', '4')).toBe(true);
      expect(await agents.getResourceLimits('res-agent')).toEqual({ memory: '8g', cpu: '4' });
      expect(await agents.setResourceLimits('res-agent', '16g')).toBe(true);
      expect(await agents.getResourceLimits('res-agent')).toEqual({ memory: '16g', cpu: null });
      expect(await agents.setResourceLimits('res-agent')).toBe(true);
      expect(await agents.getResourceLimits('res-agent')).toBeNull();
      expect(await agents.setResourceLimits('res-none', '1g')).toBe(false);
      await expect(agents.setResourceLimits('res-agent', 4 as never)).rejects.toMatchObject({ field: 'memory' });
    });

    it('validates max parallel tasks to 1..10 without touching the row', async () => {
      await user('par-owner');
      await agents.registerAgentOwner('par-agent', 'par-owner');
      expect(await agents.getMaxParallelTasks('par-agent')).toBe(3);
      expect(await agents.getMaxParallelTasks('par-none')).toBe(3);
      expect(await agents.setMaxParallelTasks('par-agent', 10)).toBe(true);
      expect(await agents.setMaxParallelTasks('par-agent', 0)).toBe(false);
      expect(await agents.setMaxParallelTasks('par-agent', 11)).toBe(false);
      expect(await agents.getMaxParallelTasks('par-agent')).toBe(10);
      expect(await agents.setMaxParallelTasks('par-agent', 1)).toBe(true);
      expect(await agents.getMaxParallelTasks('par-agent')).toBe(1);
      expect(await agents.setMaxParallelTasks('par-none', 5)).toBe(false);
      await expect(agents.setMaxParallelTasks('par-agent', 2.5)).rejects.toMatchObject({ field: 'maxTasks' });
      await expect(agents.setMaxParallelTasks('par-agent', '5' as never)).rejects.toMatchObject({ field: 'maxTasks' });
    });

    it('maps every agent to its capacity, NULL as 3', async () => {
      await user('cap-owner');
      await agents.registerAgentOwner('cap-a', 'cap-owner');
      await agents.registerAgentOwner('cap-b', 'cap-owner');
      await agents.setMaxParallelTasks('cap-a', 7);
      await rawSql(`UPDATE agent_ownership SET max_parallel_tasks = NULL WHERE agent_name = ?`, ['cap-b']);
      const capacity = await agents.getAllAgentsParallelCapacity();
      expect(capacity).toMatchObject({ 'cap-a': 7, 'cap-b': 3 });
      expect(await agents.getMaxParallelTasks('cap-b')).toBe(3);
    });

    it('validates the execution timeout to 60..7200 seconds', async () => {
      await user('to-owner');
      await agents.registerAgentOwner('to-agent', 'to-owner');
      expect(await agents.getExecutionTimeout('to-agent')).toBe(900);
      expect(await agents.getExecutionTimeout('to-none')).toBe(900);
      expect(await agents.setExecutionTimeout('to-agent', 59)).toBe(false);
      expect(await agents.setExecutionTimeout('to-agent', 7201)).toBe(false);
      expect(await agents.getExecutionTimeout('to-agent')).toBe(900);
      expect(await agents.setExecutionTimeout('to-agent', 60)).toBe(true);
      expect(await agents.getExecutionTimeout('to-agent')).toBe(60);
      expect(await agents.setExecutionTimeout('to-agent', 7200)).toBe(true);
      expect(await agents.getExecutionTimeout('to-agent')).toBe(7200);
      expect(await agents.setExecutionTimeout('to-none', 600)).toBe(false);
      await rawSql(`UPDATE agent_ownership SET execution_timeout_seconds = NULL WHERE agent_name = ?`, ['to-agent']);
      expect(await agents.getExecutionTimeout('to-agent')).toBe(900);
    });
  });

  describe('security and autonomy flags', () => {
    it('reads defaults for unknown agents', async () => {
      expect(await agents.getFullCapabilities('flags-none')).toBe(false);
      expect(await agents.getReadOnlyMode('flags-none')).toEqual({ enabled: false, config: null });
      expect(await agents.getUsePlatformApiKey('flags-none')).toBe(true);
      expect(await agents.getAutonomyEnabled('flags-none')).toBe(false);
      expect(await agents.setFullCapabilities('flags-none', true)).toBe(false);
      expect(await agents.setReadOnlyMode('flags-none', true)).toBe(false);
      expect(await agents.setUsePlatformApiKey('flags-none', false)).toBe(false);
      expect(await agents.setAutonomyEnabled('flags-none', true)).toBe(false);
    });

    it('sets and reads each flag, NULL reading as the legacy default', async () => {
      await user('fl-owner');
      await agents.registerAgentOwner('fl-agent', 'fl-owner');
      expect(await agents.getFullCapabilities('fl-agent')).toBe(false);
      expect(await agents.setFullCapabilities('fl-agent', true)).toBe(true);
      expect(await agents.getFullCapabilities('fl-agent')).toBe(true);
      expect(await agents.getUsePlatformApiKey('fl-agent')).toBe(true);
      expect(await agents.setUsePlatformApiKey('fl-agent', false)).toBe(true);
      expect(await agents.getUsePlatformApiKey('fl-agent')).toBe(false);
      expect(await agents.setAutonomyEnabled('fl-agent', true)).toBe(true);
      expect(await agents.getAutonomyEnabled('fl-agent')).toBe(true);
      // Setting the same value again still reports that the row exists.
      expect(await agents.setAutonomyEnabled('fl-agent', true)).toBe(true);
      await rawSql(`UPDATE agent_ownership SET full_capabilities = NULL, use_platform_api_key = NULL, autonomy_enabled = NULL WHERE agent_name = ?`, ['fl-agent']);
      expect(await agents.getFullCapabilities('fl-agent')).toBe(false);
      expect(await agents.getUsePlatformApiKey('fl-agent')).toBe(true);
      expect(await agents.getAutonomyEnabled('fl-agent')).toBe(false);
      expect((await agents.getAllAgentsAutonomyStatus())['fl-agent']).toBe(false);
      await expect(agents.setAutonomyEnabled('fl-agent', 1 as never)).rejects.toMatchObject({ field: 'enabled' });
      await expect(agents.setUsePlatformApiKey('fl-agent', null as never)).rejects.toMatchObject({ field: 'usePlatformKey' });
    });

    it('maps every agent to its autonomy flag', async () => {
      await user('au-owner');
      await agents.registerAgentOwner('au-on', 'au-owner');
      await agents.registerAgentOwner('au-off', 'au-owner');
      await agents.setAutonomyEnabled('au-on', true);
      expect(await agents.getAllAgentsAutonomyStatus()).toMatchObject({ 'au-on': true, 'au-off': false });
    });

    it('stores read-only config as JSON, an empty config as NULL', async () => {
      await user('ro-owner');
      await agents.registerAgentOwner('ro-agent', 'ro-owner');
      const config = { blocked_patterns: ['*.env', 'секрет/**'], allowed_patterns: ['out/**'], nested: { n: [1, 2.5, null] } };
      expect(await agents.setReadOnlyMode('ro-agent', true, config)).toBe(true);
      expect(await agents.getReadOnlyMode('ro-agent')).toEqual({ enabled: true, config });
      expect(await agents.setReadOnlyMode('ro-agent', true, {})).toBe(true);
      expect(await agents.getReadOnlyMode('ro-agent')).toEqual({ enabled: true, config: null });
      const [row] = await rawSql(`SELECT read_only_config FROM agent_ownership WHERE agent_name = ?`, ['ro-agent']);
      expect(row.read_only_config).toBeNull();
      expect(await agents.setReadOnlyMode('ro-agent', false, config)).toBe(true);
      expect(await agents.setReadOnlyMode('ro-agent', false)).toBe(true);
      expect(await agents.getReadOnlyMode('ro-agent')).toEqual({ enabled: false, config: null });
      await expect(agents.setReadOnlyMode('ro-agent', true, ['x'] as never)).rejects.toMatchObject({ field: 'config' });
      if (driver === 'sqlite') {
        // Only SQLite's TEXT column can hold invalid JSON (jsonb refuses it).
        await rawSql(`UPDATE agent_ownership SET read_only_mode = 1, read_only_config = '{not json' WHERE agent_name = ?`, ['ro-agent']);
        expect(await agents.getReadOnlyMode('ro-agent')).toEqual({ enabled: true, config: null });
      }
    });
  });

  describe('avatars', () => {
    it('sets, reads and clears a custom avatar identity', async () => {
      await user('av-owner');
      await agents.registerAgentOwner('av-agent', 'av-owner');
      expect(await agents.getAvatarIdentity('av-agent')).toBeNull();
      expect(await agents.setAvatarIdentity('av-agent', 'An owl', '2026-03-02T09:30:00.250000+00:00')).toBe(true);
      expect(await agents.getAvatarIdentity('av-agent')).toEqual({ identity_prompt: 'An owl', updated_at: new Date('2026-03-02T09:30:00.250Z') });
      expect(await agents.setAvatarIdentity('av-agent', 'A fox', new Date('2026-03-03T00:00:00Z'))).toBe(true);
      expect(await agents.getAvatarIdentity('av-agent')).toEqual({ identity_prompt: 'A fox', updated_at: new Date('2026-03-03T00:00:00Z') });
      expect(await agents.clearAvatarIdentity('av-agent')).toBe(true);
      expect(await agents.getAvatarIdentity('av-agent')).toBeNull();
      expect(await agents.setAvatarIdentity('av-none', 'x', new Date())).toBe(false);
      expect(await agents.clearAvatarIdentity('av-none')).toBe(false);
      await expect(agents.setAvatarIdentity('av-agent', 'x', 'yesterday')).rejects.toMatchObject({ field: 'updatedAt' });
    });

    it('returns no identity for an empty prompt even with a timestamp', async () => {
      await user('av2-owner');
      await agents.registerAgentOwner('av2-agent', 'av2-owner');
      expect(await agents.setAvatarIdentity('av2-agent', '', new Date('2026-03-02T00:00:00Z'))).toBe(true);
      expect(await agents.getAvatarIdentity('av2-agent')).toBeNull();
    });

    it('lists agents without a custom avatar', async () => {
      await user('av3-owner');
      for (const name of ['av3-none', 'av3-custom', 'av3-default', 'av3-prompt-only', 'av3-null-flag']) await agents.registerAgentOwner(name, 'av3-owner');
      await agents.setAvatarIdentity('av3-custom', 'custom', new Date('2026-03-02T00:00:00Z'));
      await agents.setDefaultAvatar('av3-default', 'generated', new Date('2026-03-02T00:00:00Z'));
      await agents.setAvatarIdentity('av3-prompt-only', 'p', new Date('2026-03-02T00:00:00Z'));
      await rawSql(`UPDATE agent_ownership SET avatar_updated_at = NULL WHERE agent_name = ?`, ['av3-prompt-only']);
      await agents.setAvatarIdentity('av3-null-flag', 'p', new Date('2026-03-02T00:00:00Z'));
      await rawSql(`UPDATE agent_ownership SET is_default_avatar = NULL WHERE agent_name = ?`, ['av3-null-flag']);
      const names = (await agents.getAgentsWithoutCustomAvatar()).map((r) => r.agent_name).filter((n) => n.startsWith('av3-'));
      expect(names).toEqual(['av3-none', 'av3-default', 'av3-prompt-only']);
      expect(await agents.getAvatarIdentity('av3-default')).toEqual({ identity_prompt: 'generated', updated_at: new Date('2026-03-02T00:00:00Z') });
      // A custom identity replaces the default one.
      await agents.setAvatarIdentity('av3-default', 'mine', new Date('2026-03-04T00:00:00Z'));
      expect((await agents.getAgentsWithoutCustomAvatar()).map((r) => r.agent_name)).not.toContain('av3-default');
    });
  });

  describe('metadata', () => {
    it('lists all agents for admins, sorted by name', async () => {
      await user('acn-owner');
      for (const name of ['acn-b', 'acn-a']) await agents.registerAgentOwner(name, 'acn-owner');
      const all = await agents.getAccessibleAgentNames('whoever@x.com', true);
      expect(all).toEqual(expect.arrayContaining(['acn-a', 'acn-b']));
      expect(all).toEqual([...all].sort());
      expect(all.indexOf('acn-a')).toBeLessThan(all.indexOf('acn-b'));
    });

    it('matches owner and share emails with ASCII-only case folding', async () => {
      await user('acc2-owner', { email: 'acc2.owner@x.com' });
      const noEmail = await user('acc2-noemail');
      await rawSql(`UPDATE users SET email = NULL WHERE id = ?`, [noEmail.id]);
      await agents.registerAgentOwner('acc2-owned', 'acc2-owner');
      await agents.registerAgentOwner('acc2-nomail', 'acc2-noemail');
      await agents.shareAgent('acc2-nomail', 'acc2-noemail', 'ACC2.Owner@x.com');
      await agents.registerAgentOwner('acc2-z-umlaut', 'acc2-owner');
      await agents.shareAgent('acc2-z-umlaut', 'acc2-owner', 'zoë@x.de');
      expect(await agents.getAccessibleAgentNames('ACC2.OWNER@X.COM')).toEqual(['acc2-nomail', 'acc2-owned', 'acc2-z-umlaut']);
      // The owner without an email only sees what is shared with the email asked for.
      expect(await agents.getAccessibleAgentNames('acc2-noemail@x.com')).toEqual([]);
      // LOWER folds ASCII only: the stored 'zoë' is not matched by 'ZOË'.
      expect(await agents.getAccessibleAgentNames('ZOË@X.DE')).toEqual([]);
      expect(await agents.getAccessibleAgentNames('ZOë@X.DE')).toEqual(['acc2-z-umlaut']);
    });

    it('builds the metadata of every agent in one query', async () => {
      await user('md-owner', { email: 'md.owner@x.com' });
      const gone = await user('md-gone');
      await agents.registerAgentOwner('md-agent', 'md-owner', true);
      await agents.registerAgentOwner('md-orphan', 'md-gone');
      await agents.setAutonomyEnabled('md-agent', true);
      await agents.setReadOnlyMode('md-agent', true, { blocked_patterns: ['x'] });
      await agents.setUsePlatformApiKey('md-agent', false);
      await agents.setResourceLimits('md-agent', '4g', '2');
      await agents.setAvatarIdentity('md-agent', 'owl', '2026-03-02T10:00:00+00:00');
      await insertRow(ds.manager, 'agent_git_config', { agent_name: 'md-agent', github_repo: 'org/repo', working_branch: 'trinity/md' });
      await agents.shareAgent('md-agent', 'md-owner', 'viewer@x.com');
      await rawSql(`DELETE FROM users WHERE id = ?`, [gone.id]);
      const meta = await agents.getAllAgentMetadata('VIEWER@x.com');
      expect(meta['md-agent']).toEqual({
        owner_id: expect.any(Number),
        owner_username: 'md-owner',
        owner_email: 'md.owner@x.com',
        is_system: true,
        autonomy_enabled: true,
        read_only_enabled: true,
        use_platform_api_key: false,
        memory_limit: '4g',
        cpu_limit: '2',
        github_repo: 'org/repo',
        github_branch: 'trinity/md',
        is_shared_with_user: true,
        avatar_updated_at: new Date('2026-03-02T10:00:00Z'),
      });
      expect(meta['md-orphan']).toEqual({
        owner_id: gone.id,
        owner_username: null,
        owner_email: null,
        is_system: false,
        autonomy_enabled: false,
        read_only_enabled: false,
        use_platform_api_key: true,
        memory_limit: null,
        cpu_limit: null,
        github_repo: null,
        github_branch: null,
        is_shared_with_user: false,
        avatar_updated_at: null,
      });
      const anonymous = await agents.getAllAgentMetadata(undefined);
      expect(anonymous['md-agent'].is_shared_with_user).toBe(false);
      expect(Object.values(anonymous).some((m) => m.is_shared_with_user)).toBe(false);
      // With no email, only a share to '' matches.
      await insertRow(ds.manager, 'agent_sharing', { agent_name: 'md-orphan', shared_with_email: '', shared_by_id: gone.id, created_at: new Date() });
      expect((await agents.getAllAgentMetadata(null))['md-orphan'].is_shared_with_user).toBe(true);
      expect((await agents.getAllAgentMetadata(null))['md-agent'].is_shared_with_user).toBe(false);
    });
  });

  describe('renameAgent', () => {
    it('rewrites the name in all 17 tables and leaves the others alone', async () => {
      await user('rn-owner');
      await agents.registerAgentOwner('rn-old', 'rn-owner');
      await agents.shareAgent('rn-old', 'rn-owner', 'rn-friend@x.com');
      await seedAgentEverywhere(ds.manager, 'rn-old', 'rn-partner');
      await insertRow(ds.manager, 'agent_notifications', { agent_name: 'rn-old' });
      await insertRow(ds.manager, 'schedule_executions', { agent_name: 'rn-other', source_agent_name: 'rn-old' });
      expect(await agents.renameAgent('rn-old', 'rn-new')).toBe(true);
      for (const [table, column] of RENAMED_AGENT_COLUMNS) {
        expect([table, column, await countWhere(ds, driver, table, column, 'rn-old')]).toEqual([table, column, 0]);
        expect([table, column, await countWhere(ds, driver, table, column, 'rn-new')]).toEqual([table, column, 1]);
      }
      expect(await countWhere(ds, driver, 'agent_notifications', 'agent_name', 'rn-old')).toBe(1);
      expect(await countWhere(ds, driver, 'schedule_executions', 'source_agent_name', 'rn-old')).toBe(1);
      expect((await agents.getAgentOwner('rn-new'))?.owner_username).toBe('rn-owner');
      expect(await agents.getAgentShares('rn-new')).toHaveLength(1);
    });

    it('returns false for a missing old name, an existing new name, or the same name', async () => {
      await user('rn2-owner');
      await agents.registerAgentOwner('rn2-a', 'rn2-owner');
      await agents.registerAgentOwner('rn2-b', 'rn2-owner');
      expect(await agents.renameAgent('rn2-missing', 'rn2-c')).toBe(false);
      expect(await agents.renameAgent('rn2-a', 'rn2-b')).toBe(false);
      expect(await agents.renameAgent('rn2-a', 'rn2-a')).toBe(false);
      expect(await agents.getAgentsByOwner('rn2-owner')).toEqual(['rn2-a', 'rn2-b']);
      await expect(agents.renameAgent('rn2-a', '')).rejects.toMatchObject({ field: 'newName' });
    });

    it('rolls every table back and returns false when a constraint fails half-way', async () => {
      await user('rn3-owner');
      await agents.registerAgentOwner('rn3-old', 'rn3-owner');
      await agents.shareAgent('rn3-old', 'rn3-owner', 'rn3-friend@x.com');
      await seedAgentEverywhere(ds.manager, 'rn3-old', 'rn3-partner');
      // An orphan git config under the new name: the 11th of 18 updates hits UNIQUE(agent_name).
      await insertRow(ds.manager, 'agent_git_config', { agent_name: 'rn3-new' });
      const before = await snapshot(ds);
      expect(await agents.renameAgent('rn3-old', 'rn3-new')).toBe(false);
      expect(await snapshot(ds)).toEqual(before);
      expect(await countWhere(ds, driver, 'agent_ownership', 'agent_name', 'rn3-old')).toBe(1);
    });

    it('inside a caller transaction, a failed rename rolls back only itself', async () => {
      await user('rn4-owner');
      await agents.registerAgentOwner('rn4-old', 'rn4-owner');
      await seedAgentEverywhere(ds.manager, 'rn4-old', 'rn4-partner');
      await insertRow(ds.manager, 'agent_tags', { agent_name: 'rn4-new', tag: 'dup' });
      await insertRow(ds.manager, 'agent_tags', { agent_name: 'rn4-old', tag: 'dup' });
      const before = await snapshot(ds);
      await ds.executor.transaction(async (tx) => {
        const inTx = repositoryOn(tx, AgentRepository, { clock: time.clock });
        expect(await inTx.renameAgent('rn4-old', 'rn4-new')).toBe(false);
        // The caller's transaction is still usable.
        expect(await inTx.registerAgentOwner('rn4-extra', 'rn4-owner')).toBe(true);
      });
      const after = await snapshot(ds);
      expect(after.agent_ownership.length).toBe(before.agent_ownership.length + 1);
      expect({ ...after, agent_ownership: before.agent_ownership }).toEqual(before);
    });
  });

  describe('failures in a database of their own', () => {
    let own: TrinityDataSource;
    let repo: AgentRepository;

    beforeAll(async () => {
      own = await openTestDataSource(driver);
      repo = repositoryOn(own, AgentRepository, { clock: time.clock });
      await repositoryOn(own, UserRepository).createUser({ username: 'f-owner', email: 'f@x.com' });
    });

    it('propagates a non-constraint error from renameAgent and leaves every table unchanged', async () => {
      await repo.registerAgentOwner('f-old', 'f-owner');
      await repo.shareAgent('f-old', 'f-owner', 'pal@x.com');
      await seedAgentEverywhere(own.manager, 'f-old', 'f-partner');
      await own.query(`DROP TABLE monitoring_alert_cooldowns`);
      const tablesLeft = () => snapshot(own, ['monitoring_alert_cooldowns']);
      const before = await tablesLeft();
      expect(before.agent_ownership).toHaveLength(1);
      await expect(repo.renameAgent('f-old', 'f-new')).rejects.toThrow(/monitoring_alert_cooldowns/);
      expect(await tablesLeft()).toEqual(before);
      expect(await repo.getAgentOwner('f-old')).not.toBeNull();
    });

    it('keeps the shares when deleteAgentOwnership fails on its second statement', async () => {
      await repo.registerAgentOwner('f-del', 'f-owner');
      await repo.shareAgent('f-del', 'f-owner', 'pal2@x.com');
      await own.query(`ALTER TABLE agent_ownership RENAME TO agent_ownership_moved`);
      await expect(repo.deleteAgentOwnership('f-del')).rejects.toThrow(/agent_ownership/);
      await own.query(`ALTER TABLE agent_ownership_moved RENAME TO agent_ownership`);
      expect(await repo.getAgentShares('f-del')).toHaveLength(1);
      expect(await repo.getAgentOwner('f-del')).not.toBeNull();
    });
  });
});

describe('AgentRepository on a migrated legacy file', () => {
  it('reads Python-written agents and writes rows in the same legacy formats', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const agents = repositoryOn(ds, AgentRepository, { clock: () => new Date('2026-05-01T12:00:00Z') });

    expect(await agents.getAgentOwner('trinity-system')).toEqual({
      id: 1,
      agent_name: 'trinity-system',
      owner_id: 1,
      owner_username: 'admin',
      created_at: new Date('2026-03-18T10:03:03.735Z'),
      is_system: true,
    });
    expect(await agents.getResourceLimits('research-bot')).toEqual({ memory: '4g', cpu: '2' });
    expect(await agents.getMaxParallelTasks('research-bot')).toBe(5);
    expect(await agents.getFullCapabilities('research-bot')).toBe(true);
    expect(await agents.getAutonomyEnabled('research-bot')).toBe(true);
    expect(await agents.getReadOnlyMode('ops-agent')).toEqual({
      enabled: true,
      config: { blocked_patterns: ['*.env', 'secrets/**', "it's\\here"], allowed_patterns: ['outputs/**'], meta: { set_by: 'alice', levels: [1, [2, 3]], strict: true } },
    });
    expect(await agents.getUsePlatformApiKey('ops-agent')).toBe(false);
    expect(await agents.getAvatarIdentity('research-bot')).toMatchObject({ updated_at: new Date('2026-03-18T10:45:06.331Z') });
    expect((await agents.getAgentShares('research-bot')).map((s) => [s.shared_with_email, s.shared_by_email])).toEqual([
      ['chen.wei@example.cn', 'alice@example.com'],
      ['bob.obrien@example.com', 'alice@example.com'],
    ]);
    expect(await agents.getAgentsByOwner('alice')).toEqual(['research-bot', 'ops-agent']);
    expect(await agents.getAccessibleAgentNames('zoë@example.de')).toEqual(['ops-agent']);
    expect(await agents.getAccessibleAgentNames('ALICE@example.com')).toEqual(['cornelius', 'ops-agent', 'research-bot']);
    expect((await agents.getAgentsWithoutCustomAvatar()).map((r) => r.agent_name)).toEqual(['trinity-system', 'ops-agent', 'cornelius', 'ruby-writer', 'legacy-importer']);
    expect((await agents.getAllAgentMetadata('dana@example.org'))['ruby-writer']).toMatchObject({ is_shared_with_user: true, memory_limit: '8g' });
    expect((await agents.getAllAgentMetadata('dana@example.org'))['research-bot']).toMatchObject({ github_repo: 'abilityai/research-bot', github_branch: 'trinity/research-bot/a1b2c3d4' });

    // Writes: same shapes as the Python rows.
    expect(await agents.registerAgentOwner('ts-agent', 'alice')).toBe(true);
    await agents.shareAgent('ts-agent', 'alice', 'Dana@Example.org');
    await agents.setReadOnlyMode('ts-agent', true, { blocked_patterns: ["it's\\here", 'ü'], strict: true });
    await agents.setAvatarIdentity('ts-agent', 'owl', new Date('2026-05-01T12:00:00.5Z'));
    expect(await agents.renameAgent('ops-agent', 'ops-agent-2')).toBe(true);
    await ds.destroy();

    const stored = withDatabase(copy.path, (db) => ({
      owner: db.prepare(`SELECT created_at, is_system, read_only_config, avatar_updated_at, max_parallel_tasks FROM agent_ownership WHERE agent_name = 'ts-agent'`).get() as Record<string, unknown>,
      share: db.prepare(`SELECT shared_with_email, created_at FROM agent_sharing WHERE agent_name = 'ts-agent'`).get() as Record<string, unknown>,
      renamed: db.prepare(`SELECT COUNT(*) AS n FROM agent_sharing WHERE agent_name = 'ops-agent-2'`).get() as { n: number },
    }));
    expect(stored.owner).toEqual({
      created_at: '2026-05-01T12:00:00',
      is_system: 0,
      read_only_config: '{"blocked_patterns": ["it\'s\\\\here", "\\u00fc"], "strict": true}',
      avatar_updated_at: '2026-05-01T12:00:00.500000+00:00',
      max_parallel_tasks: 3,
    });
    expect(stored.share).toEqual({ shared_with_email: 'dana@example.org', created_at: '2026-05-01T12:00:00' });
    expect(stored.renamed.n).toBe(1);
  });
});
