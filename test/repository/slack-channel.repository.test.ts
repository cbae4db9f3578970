import { CredentialEncryption, CredentialEncryptionError, encryptionKeyFromEnv } from '../../src/codec/credential-encryption';
import type { TrinityDataSource } from '../../src/data-source';
import { SlackChannelRepository } from '../../src/repository/slack-channel.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { legacyManifest } from '../support/fixtures';
import { failWrites, raw, testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const KEY = Buffer.alloc(32, 0x2a);
const OTHER_KEY = Buffer.alloc(32, 0x17);

describe.each(DRIVERS)('SlackChannelRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });

  function setup(key: Buffer = KEY) {
    const time = testClock();
    const encryption = new CredentialEncryption(() => key);
    return { time, encryption, slack: repositoryOn(ds, SlackChannelRepository, { clock: time.clock, encryption }) };
  }

  /** Stores a workspace row the way the legacy migration or another writer left it. */
  async function insertWorkspace(teamId: string, botToken: string, enabled = true) {
    await raw(ds, driver, `INSERT INTO slack_workspaces (id, team_id, team_name, bot_token, connected_by, connected_at, enabled) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      `ws-${teamId}`,
      teamId,
      'Legacy',
      botToken,
      '1',
      driver === 'sqlite' ? '2026-01-01T00:00:00' : new Date('2026-01-01T00:00:00Z'),
      driver === 'sqlite' ? (enabled ? 1 : 0) : enabled,
    ]);
  }

  async function storedToken(teamId: string): Promise<string> {
    const [row] = await raw(ds, driver, `SELECT bot_token FROM slack_workspaces WHERE team_id = ?`, [teamId]);
    return row.bot_token as string;
  }

  it('stores the bot token as an encrypted envelope and returns it decrypted', async () => {
    const { slack, encryption } = setup();
    const created = await slack.createWorkspace('T1', 'Acme', 'xoxb-1', '5');
    expect(created).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      team_id: 'T1',
      team_name: 'Acme',
      bot_token: 'xoxb-1',
      connected_by: '5',
      connected_at: new Date('2026-03-01T10:00:00.123Z'),
      enabled: true,
    });
    const stored = await storedToken('T1');
    expect(stored).not.toContain('xoxb-1');
    expect(JSON.parse(stored)).toMatchObject({ version: 1, algorithm: 'AES-256-GCM' });
    expect(encryption.decrypt(stored)).toEqual({ bot_token: 'xoxb-1' });
    expect(await slack.getWorkspaceByTeam('T1')).toEqual(created);
    expect(await slack.getWorkspaceBotToken('T1')).toBe('xoxb-1');
    expect(await slack.getWorkspaceByTeam('T-none')).toBeNull();
    expect(await slack.getWorkspaceBotToken('T-none')).toBeNull();
  });

  it('falls back to legacy plaintext xoxb- tokens, and gives "" for anything unreadable', async () => {
    const { slack } = setup();
    await insertWorkspace('T-plain', 'xoxb-plain');
    await insertWorkspace('T-garbage', 'garbage');
    expect(await slack.getWorkspaceBotToken('T-plain')).toBe('xoxb-plain');
    expect(await slack.getWorkspaceByTeam('T-garbage')).toMatchObject({ bot_token: '', team_name: 'Legacy', enabled: true });
    expect(await slack.getWorkspaceBotToken('T-garbage')).toBe('');
    // An envelope under another key: "" and no throw.
    const other = new CredentialEncryption(() => OTHER_KEY);
    await insertWorkspace('T-otherkey', other.encrypt({ bot_token: 'xoxb-secret' }));
    expect(await slack.getWorkspaceBotToken('T-otherkey')).toBe('');
    // An envelope without the bot_token key: "".
    await insertWorkspace('T-nokey', setup().encryption.encrypt({ token: 'xoxb-x' }));
    expect(await slack.getWorkspaceBotToken('T-nokey')).toBe('');
  });

  it('reads the key on every call: a missing key throws before any write, and reads degrade to ""', async () => {
    const saved = process.env.CREDENTIAL_ENCRYPTION_KEY;
    const slack = repositoryOn(ds, SlackChannelRepository); // default: the environment variable
    try {
      delete process.env.CREDENTIAL_ENCRYPTION_KEY;
      const error = await slack.createWorkspace('T-nokey-env', 'X', 'xoxb-env').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialEncryptionError);
      expect((error as Error).message).not.toContain('xoxb-env');
      expect(await raw(ds, driver, `SELECT id FROM slack_workspaces WHERE team_id = ?`, ['T-nokey-env'])).toHaveLength(0);
      process.env.CREDENTIAL_ENCRYPTION_KEY = KEY.toString('hex');
      expect(await slack.createWorkspace('T-nokey-env', 'X', 'xoxb-env')).toMatchObject({ bot_token: 'xoxb-env' });
      delete process.env.CREDENTIAL_ENCRYPTION_KEY;
      expect(await slack.getWorkspaceBotToken('T-nokey-env')).toBe('');
    } finally {
      if (saved === undefined) delete process.env.CREDENTIAL_ENCRYPTION_KEY;
      else process.env.CREDENTIAL_ENCRYPTION_KEY = saved;
    }
  });

  it('re-connecting keeps id, connected_by and enabled; a disabled workspace stays disabled', async () => {
    const { slack, time } = setup();
    const first = (await slack.createWorkspace('T2', 'Old name', 'xoxb-old', '7'))!;
    time.set('2026-03-05T00:00:00Z');
    const second = await slack.createWorkspace('T2', null, 'xoxb-new', '99');
    expect(second).toEqual({ ...first, team_name: null, bot_token: 'xoxb-new', connected_at: new Date('2026-03-05T00:00:00Z') });
    await raw(ds, driver, `UPDATE slack_workspaces SET enabled = ? WHERE team_id = ?`, [driver === 'sqlite' ? 0 : false, 'T2']);
    expect(await slack.createWorkspace('T2', 'Back', 'xoxb-newer', '7')).toBeNull();
    expect(await slack.getWorkspaceByTeam('T2')).toBeNull();
    const [row] = await raw(ds, driver, `SELECT id, team_name FROM slack_workspaces WHERE team_id = ?`, ['T2']);
    expect(row).toEqual({ id: first.id, team_name: 'Back' });
    await expect(slack.createWorkspace('', 'x', 'xoxb')).rejects.toMatchObject({ name: 'InputValidationError', field: 'team_id' });
    await expect(slack.createWorkspace('T2b', 'x', '')).rejects.toMatchObject({ field: 'bot_token' });
  });

  it('concurrent connects of one team leave one row', async () => {
    const { slack } = setup();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => slack.createWorkspace('T-race', `n${i}`, `xoxb-${i}`)));
    expect(new Set(results.map((w) => w!.id)).size).toBe(1);
    expect(await raw(ds, driver, `SELECT id FROM slack_workspaces WHERE team_id = ?`, ['T-race'])).toHaveLength(1);
  });

  it('lists only enabled workspaces with decrypted tokens', async () => {
    const { slack } = setup();
    await slack.createWorkspace('T-list1', 'L1', 'xoxb-l1');
    await insertWorkspace('T-list2', 'xoxb-l2', false);
    const all = await slack.getAllWorkspaces();
    expect(all.find((w) => w.team_id === 'T-list1')).toMatchObject({ bot_token: 'xoxb-l1', enabled: true });
    expect(all.find((w) => w.team_id === 'T-list2')).toBeUndefined();
    expect(all.every((w) => w.enabled && typeof w.bot_token === 'string')).toBe(true);
  });

  it('binds channels with upsert semantics and looks them up', async () => {
    const { slack, time } = setup();
    const first = await slack.bindChannelToAgent('T3', 'C1', 'general', 'agent-a', '3');
    expect(first).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      team_id: 'T3',
      slack_channel_id: 'C1',
      slack_channel_name: 'general',
      agent_name: 'agent-a',
      is_dm_default: false,
      created_by: '3',
      created_at: new Date('2026-03-01T10:00:00.123Z'),
    });
    time.set('2026-03-02T00:00:00Z');
    const rebound = await slack.bindChannelToAgent('T3', 'C1', null, 'agent-b', '9', true);
    expect(rebound).toEqual({ ...first!, agent_name: 'agent-b', slack_channel_name: null, is_dm_default: true });
    expect(await slack.getChannelAgent('T3', 'C1')).toEqual(rebound);
    expect(await slack.getAgentNameForChannel('T3', 'C1')).toBe('agent-b');
    expect(await slack.getAgentNameForChannel('T3', 'C-none')).toBeNull();
    expect(await slack.getChannelAgent('T-other', 'C1')).toBeNull();
    await expect(slack.bindChannelToAgent('T3', 'C2', null, 'a', null, 'yes' as unknown as boolean)).rejects.toMatchObject({ field: 'is_dm_default' });
    await expect(slack.bindChannelToAgent('T3', 'C2', null, '')).rejects.toMatchObject({ field: 'agent_name' });
  });

  it('allows several DM defaults and several channels per agent', async () => {
    const { slack, time } = setup();
    expect(await slack.getDmDefaultAgent('T4')).toBeNull();
    await slack.bindChannelToAgent('T4', 'C1', 'one', 'agent-x', null, false);
    expect(await slack.getDmDefaultAgent('T4')).toBeNull();
    time.set('2026-03-01T11:00:00Z');
    await slack.bindChannelToAgent('T4', 'C2', 'two', 'agent-y', null, true);
    time.set('2026-03-01T12:00:00Z');
    await slack.bindChannelToAgent('T4', 'C3', 'three', 'agent-z', null, true);
    expect(['agent-y', 'agent-z']).toContain(await slack.getDmDefaultAgent('T4'));
    time.set('2026-03-01T13:00:00Z');
    await slack.bindChannelToAgent('T4', 'C4', 'four', 'agent-x');
    const bindings = await slack.getAgentsForWorkspace('T4');
    expect(bindings.map((b) => b.slack_channel_id)).toEqual(['C1', 'C2', 'C3', 'C4']);
    expect(bindings.filter((b) => b.is_dm_default).map((b) => b.agent_name)).toEqual(['agent-y', 'agent-z']);
    expect(['C1', 'C4']).toContain((await slack.getChannelForAgent('T4', 'agent-x'))!.slack_channel_id);
    expect(await slack.getChannelForAgent('T4', 'agent-none')).toBeNull();
    expect(await slack.getAgentsForWorkspace('T-empty')).toEqual([]);
  });

  it('unbinds an agent (all its channels) or one channel', async () => {
    const { slack } = setup();
    await slack.bindChannelToAgent('T5', 'C1', null, 'agent-u');
    await slack.bindChannelToAgent('T5', 'C2', null, 'agent-u');
    await slack.bindChannelToAgent('T5', 'C3', null, 'agent-v');
    await slack.bindChannelToAgent('T5-other', 'C1', null, 'agent-u');
    expect(await slack.unbindAgent('T5', 'agent-u')).toBe(true);
    expect((await slack.getAgentsForWorkspace('T5')).map((b) => b.agent_name)).toEqual(['agent-v']);
    expect(await slack.getChannelAgent('T5-other', 'C1')).not.toBeNull();
    expect(await slack.unbindAgent('T5', 'agent-u')).toBe(false);
    expect(await slack.unbindChannel('T5', 'C3')).toBe(true);
    expect(await slack.unbindChannel('T5', 'C3')).toBe(false);
    expect(await slack.getAgentsForWorkspace('T5')).toEqual([]);
  });

  it('the first agent to register a thread keeps it', async () => {
    const { slack } = setup();
    expect(await slack.isActiveThread('T6', 'C1', '1712345678.000100')).toBeNull();
    await slack.registerActiveThread('T6', 'C1', '1712345678.000100', 'a');
    await slack.registerActiveThread('T6', 'C1', '1712345678.000100', 'b');
    expect(await slack.isActiveThread('T6', 'C1', '1712345678.000100')).toBe('a');
    expect(await slack.isActiveThread('T6', 'C2', '1712345678.000100')).toBeNull();
    await Promise.all(['c', 'd', 'e'].map((agent) => slack.registerActiveThread('T6', 'C9', '1.2', agent)));
    expect(['c', 'd', 'e']).toContain(await slack.isActiveThread('T6', 'C9', '1.2'));
    await expect(slack.registerActiveThread('T6', 'C1', '', 'a')).rejects.toMatchObject({ field: 'thread_ts' });
  });

  it('deletes a workspace with its bindings but keeps active threads', async () => {
    const { slack } = setup();
    await slack.createWorkspace('T7', 'Seven', 'xoxb-7');
    await slack.bindChannelToAgent('T7', 'C1', null, 'agent-7');
    await slack.registerActiveThread('T7', 'C1', '9.9', 'agent-7');
    expect(await slack.deleteWorkspace('T7')).toBe(true);
    expect(await slack.getWorkspaceByTeam('T7')).toBeNull();
    expect(await slack.getAgentsForWorkspace('T7')).toEqual([]);
    expect(await slack.isActiveThread('T7', 'C1', '9.9')).toBe('agent-7');
    // No workspace: bindings still go, the result is false.
    await slack.bindChannelToAgent('T7', 'C2', null, 'agent-7');
    expect(await slack.deleteWorkspace('T7')).toBe(false);
    expect(await slack.getAgentsForWorkspace('T7')).toEqual([]);
  });

  it('rolls deleteWorkspace back when the workspace delete fails', async () => {
    const { slack } = setup();
    await slack.createWorkspace('T8', 'Eight', 'xoxb-8');
    await slack.bindChannelToAgent('T8', 'C1', null, 'agent-8');
    await failWrites(ds, driver, 'DELETE', 'slack_workspaces', { when: { column: 'team_id', value: 'T8' } });
    await expect(slack.deleteWorkspace('T8')).rejects.toThrow('forced failure');
    expect(await slack.getAgentNameForChannel('T8', 'C1')).toBe('agent-8');
    expect(await slack.getWorkspaceBotToken('T8')).toBe('xoxb-8');
  });
});

describe('SlackChannelRepository on a migrated legacy file', () => {
  it('decrypts the Python envelope, reads bindings and threads, and writes the same formats', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const manifestKey = legacyManifest().environment.CREDENTIAL_ENCRYPTION_KEY as string;
    const encryption = new CredentialEncryption(() => encryptionKeyFromEnv({ CREDENTIAL_ENCRYPTION_KEY: manifestKey }));
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const slack = repositoryOn(ds, SlackChannelRepository, { clock: () => new Date('2026-04-02T09:30:15.250Z'), encryption });
    const [workspace] = await ds.query(`SELECT team_id, bot_token FROM slack_workspaces`);
    const [legacy] = await ds.query(`SELECT slack_bot_token FROM slack_link_connections WHERE slack_team_id = ?`, [workspace.team_id]);
    expect(workspace.bot_token.startsWith('{')).toBe(true);
    // The fixture connected the same workspace through both integrations with one token.
    expect(await slack.getWorkspaceBotToken(workspace.team_id)).toBe(legacy.slack_bot_token);

    const stored = await ds.query(`SELECT slack_channel_id, agent_name, is_dm_default FROM slack_channel_agents WHERE team_id = ? ORDER BY created_at`, [workspace.team_id]);
    const bindings = await slack.getAgentsForWorkspace(workspace.team_id);
    expect(bindings.map((b) => [b.slack_channel_id, b.agent_name, b.is_dm_default])).toEqual(stored.map((r: Record<string, unknown>) => [r.slack_channel_id, r.agent_name, r.is_dm_default === 1]));
    expect(await slack.getDmDefaultAgent(workspace.team_id)).toBe(stored.find((r: Record<string, unknown>) => r.is_dm_default === 1).agent_name);
    const [thread] = await ds.query(`SELECT channel_id, thread_ts, agent_name FROM slack_active_threads`);
    expect(await slack.isActiveThread(workspace.team_id, thread.channel_id, thread.thread_ts)).toBe(thread.agent_name);

    // A legacy plaintext row as the slack_channel_agents migration copied it.
    await ds.query(`INSERT INTO slack_workspaces (id, team_id, team_name, bot_token, connected_by, connected_at, enabled) VALUES ('legacy-ws', 'T-LEG', NULL, 'xoxb-legacy-plain', '3', '2026-03-01T00:00:00.5', 1)`);
    expect(await slack.getWorkspaceBotToken('T-LEG')).toBe('xoxb-legacy-plain');

    await slack.createWorkspace('T-NEW', 'New', 'xoxb-new', '1');
    await slack.bindChannelToAgent('T-NEW', 'C-NEW', 'new', 'agent-new', '1', true);
    await slack.registerActiveThread('T-NEW', 'C-NEW', '1.5', 'agent-new');
    await ds.destroy();
    withDatabase(copy.path, (db) => {
      const ws = db.prepare(`SELECT bot_token, connected_at, enabled, typeof(enabled) AS t FROM slack_workspaces WHERE team_id = 'T-NEW'`).get() as Record<string, unknown>;
      expect(ws).toMatchObject({ connected_at: '2026-04-02T09:30:15.250000', enabled: 1, t: 'integer' });
      // Same envelope layout as the Python row (indent-2 JSON with the same keys in the same order).
      expect(Object.keys(JSON.parse(ws.bot_token as string))).toEqual(Object.keys(JSON.parse(workspace.bot_token)));
      expect((ws.bot_token as string).split('\n')).toHaveLength(workspace.bot_token.split('\n').length);
      expect(encryption.decrypt(ws.bot_token as string)).toEqual({ bot_token: 'xoxb-new' });
      expect(db.prepare(`SELECT created_at, is_dm_default FROM slack_channel_agents WHERE team_id = 'T-NEW'`).get()).toEqual({ created_at: '2026-04-02T09:30:15.250000', is_dm_default: 1 });
      expect(db.prepare(`SELECT created_at FROM slack_active_threads WHERE team_id = 'T-NEW'`).get()).toEqual({ created_at: '2026-04-02T09:30:15.250000' });
    });
  });
});
