import type { TrinityDataSource } from '../../src/data-source';
import { MonitoringRepository } from '../../src/repository/monitoring.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('MonitoringRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });
  function setup(start = '2026-03-10T12:00:00Z') {
    const time = testClock(start);
    return { time, mon: repositoryOn(ds, MonitoringRepository, { clock: time.clock }) };
  }

  it('stores every metric and reads the sample back with tri-state flags', async () => {
    const { mon } = setup('2026-03-10T12:00:00.5Z');
    const id = await mon.createHealthCheck(
      'mon-a',
      'docker',
      'healthy',
      { container_status: 'running', cpu_percent: 12.5, memory_percent: 43.1, memory_mb: 1780.2, restart_count: 2, oom_killed: false, extra: 'ignored' },
      { reachable: 1, latency_ms: 23.4 },
      { runtime_available: 'yes', claude_available: 0, context_percent: 22.6, active_executions: 3, error_rate: 0.05 },
      'oops',
    );
    expect(id).toMatch(/^hc_[A-Za-z0-9_-]{16}$/);
    const at = new Date('2026-03-10T12:00:00.5Z');
    expect(await mon.getLatestHealthCheck('mon-a', 'docker')).toEqual({
      id,
      agent_name: 'mon-a',
      check_type: 'docker',
      status: 'healthy',
      container_status: 'running',
      cpu_percent: 12.5,
      memory_percent: 43.1,
      memory_mb: 1780.2,
      restart_count: 2,
      oom_killed: false,
      reachable: true,
      latency_ms: 23.4,
      runtime_available: true,
      claude_available: null, // 0 is falsy but not False: NULL
      context_percent: 22.6,
      active_executions: 3,
      error_rate: 0.05,
      error_message: 'oops',
      checked_at: at,
      created_at: at,
    });
    expect(await mon.getLatestHealthCheck('mon-a')).toBeNull(); // aggregate by default
  });

  it('encodes the flags as Python does: 0 and "" -> NULL, False -> 0, truthy -> 1, missing dicts -> NULL', async () => {
    const { mon } = setup();
    const cases: [unknown, boolean | null][] = [[0, null], [false, false], ['yes', true], ['', null], [[], null], [undefined, null], [2, true]];
    for (const [i, [value, expected]] of cases.entries()) {
      await mon.createHealthCheck(`mon-b${i}`, 'docker', 'healthy', { oom_killed: value });
      expect((await mon.getLatestHealthCheck(`mon-b${i}`, 'docker'))?.oom_killed).toBe(expected);
    }
    await mon.createHealthCheck('mon-b', 'aggregate', 'healthy');
    expect(await mon.getLatestHealthCheck('mon-b')).toMatchObject({ container_status: null, oom_killed: null, reachable: null, latency_ms: null, error_message: null });
  });

  it('rejects bad input by field before writing', async () => {
    const { mon } = setup();
    await expect(mon.createHealthCheck('mon-c', 'docker', 'healthy', { cpu_percent: 'high' as never })).rejects.toMatchObject({ name: 'InputValidationError', field: 'dockerMetrics.cpu_percent' });
    await expect(mon.createHealthCheck('mon-c', 'docker', 'healthy', { restart_count: 1.5 })).rejects.toMatchObject({ field: 'dockerMetrics.restart_count' });
    await expect(mon.createHealthCheck('mon-c', '', 'healthy')).rejects.toMatchObject({ field: 'checkType' });
    expect(await mon.getLatestHealthCheck('mon-c', 'docker')).toBeNull();
  });

  it('returns exactly the last N hours newest first, and computes uptime and latency from it', async () => {
    const { mon, time } = setup();
    const at = async (iso: string, type: string, status: string, latency?: number) => {
      time.set(iso);
      await mon.createHealthCheck('mon-d', type, status, null, latency === undefined ? null : { latency_ms: latency });
    };
    await at('2026-03-09T11:59:59.999Z', 'aggregate', 'critical'); // 24 h + 1 ms ago: outside
    await at('2026-03-09T12:00:00Z', 'aggregate', 'healthy'); // exactly 24 h: inside (>=)
    await at('2026-03-10T01:00:00Z', 'aggregate', 'healthy');
    await at('2026-03-10T02:00:00Z', 'aggregate', 'healthy');
    await at('2026-03-10T03:00:00Z', 'aggregate', 'degraded');
    await at('2026-03-10T04:00:00Z', 'aggregate', 'critical');
    await at('2026-03-10T05:00:00Z', 'network', 'healthy', 10);
    await at('2026-03-10T06:00:00Z', 'network', 'healthy', 30);
    await at('2026-03-10T07:00:00Z', 'network', 'unhealthy');
    time.set('2026-03-10T12:00:00Z');
    const history = await mon.getAgentHealthHistory('mon-d');
    expect(history.map((h) => h.checked_at.toISOString())).toEqual([
      '2026-03-10T04:00:00.000Z',
      '2026-03-10T03:00:00.000Z',
      '2026-03-10T02:00:00.000Z',
      '2026-03-10T01:00:00.000Z',
      '2026-03-09T12:00:00.000Z',
    ]);
    expect((await mon.getAgentHealthHistory('mon-d', 'aggregate', 24, 2)).map((h) => h.status)).toEqual(['critical', 'degraded']);
    expect(await mon.getAgentHealthHistory('mon-d', 'aggregate', 9)).toHaveLength(2); // 03:00 and 04:00 (03:00 is exactly 9 h)
    expect(await mon.calculateUptimePercent('mon-d')).toBe(80);
    expect(await mon.calculateUptimePercent('mon-d', 1)).toBeNull();
    expect(await mon.calculateAvgLatency('mon-d')).toBe(20); // network samples only, null latency skipped
    expect(await mon.calculateAvgLatency('mon-d', 5)).toBeNull(); // only the 07:00 sample without latency
    expect(await mon.calculateAvgLatency('nobody')).toBeNull();
  });

  it('finds the latest sample per agent and summarises the aggregate statuses', async () => {
    const { mon, time } = setup();
    time.set('2026-03-10T10:00:00Z');
    await mon.createHealthCheck('mon-e1', 'aggregate', 'healthy');
    time.set('2026-03-10T11:00:00Z');
    await mon.createHealthCheck('mon-e1', 'aggregate', 'critical');
    await mon.createHealthCheck('mon-e2', 'aggregate', 'weird');
    await mon.createHealthCheck('mon-e3', 'docker', 'healthy'); // only another type
    const latest = await mon.getAllLatestHealthChecks(['mon-e1', 'mon-e2', 'mon-e3']);
    expect(Object.keys(latest).sort()).toEqual(['mon-e1', 'mon-e2']);
    expect(latest['mon-e1'].status).toBe('critical');
    expect(Object.keys(await mon.getAllLatestHealthChecks(['mon-e3'], 'docker'))).toEqual(['mon-e3']);
    const everyone = await mon.getAllLatestHealthChecks([]);
    expect(everyone['mon-e1'].status).toBe('critical');
    expect(Object.keys(await mon.getAllLatestHealthChecks(null))).toEqual(Object.keys(everyone));
    expect(await mon.getHealthSummary(['mon-e2', 'mon-e3'])).toEqual({ healthy: 0, degraded: 0, unhealthy: 0, critical: 0, unknown: 1 });
    expect(await mon.getHealthSummary(['mon-e1', 'mon-e2'])).toEqual({ healthy: 0, degraded: 0, unhealthy: 0, critical: 1, unknown: 1 });
    const many = Array.from({ length: 600 }, (_, i) => `ghost-${i}`).concat('mon-e2');
    expect(Object.keys(await mon.getAllLatestHealthChecks(many))).toEqual(['mon-e2']);
  });

  it('cleans up samples older than exactly N days', async () => {
    const own = await openTestDataSource(driver);
    const time = testClock('2026-03-10T12:00:00Z');
    const mon = repositoryOn(own, MonitoringRepository, { clock: time.clock });
    time.set('2026-03-03T11:59:59.999Z');
    await mon.createHealthCheck('mon-f', 'aggregate', 'healthy');
    time.set('2026-03-03T12:00:00Z');
    await mon.createHealthCheck('mon-f', 'aggregate', 'degraded');
    await mon.setCooldown('mon-f', 'c');
    time.set('2026-03-10T12:00:00Z');
    expect(await mon.cleanupOldRecords()).toBe(1);
    expect((await mon.getAgentHealthHistory('mon-f', 'aggregate', 24 * 30)).map((h) => h.status)).toEqual(['degraded']);
    expect(await mon.getCooldown('mon-f', 'c')).not.toBeNull();
  });

  it('upserts cooldowns keeping the first id and checks them strictly', async () => {
    const { mon, time } = setup();
    await mon.setCooldown('mon-g', 'down');
    const [first] = await ds.query(`SELECT id FROM monitoring_alert_cooldowns WHERE agent_name = 'mon-g'`);
    expect(await mon.getCooldown('mon-g', 'down')).toEqual(new Date('2026-03-10T12:00:00Z'));
    expect(await mon.isInCooldown('mon-g', 'down', 300)).toBe(true);
    expect(await mon.isInCooldown('mon-g', 'down', 0)).toBe(false);
    time.set('2026-03-10T12:05:00Z');
    expect(await mon.isInCooldown('mon-g', 'down', 300)).toBe(false); // now == end: not strictly before
    expect(await mon.isInCooldown('mon-g', 'down', 301)).toBe(true);
    await mon.setCooldown('mon-g', 'down');
    const rows = await ds.query(`SELECT id FROM monitoring_alert_cooldowns WHERE agent_name = 'mon-g'`);
    expect(rows).toEqual([{ id: first.id }]);
    expect(await mon.getCooldown('mon-g', 'down')).toEqual(new Date('2026-03-10T12:05:00Z'));
    expect(await mon.isInCooldown('mon-g', 'other', 300)).toBe(false);
    expect(await mon.getCooldown('mon-g', 'other')).toBeNull();
    expect(await mon.clearCooldown('mon-g', 'down')).toBe(true);
    expect(await mon.clearCooldown('mon-g', 'down')).toBe(false);
  });

  it('cleans up one agent cooldowns, or all of them for a falsy name', async () => {
    const own = await openTestDataSource(driver);
    const mon = repositoryOn(own, MonitoringRepository);
    for (const [agent, condition] of [['a', 'x'], ['a', 'y'], ['b', 'x'], ['c', 'x']]) await mon.setCooldown(agent, condition);
    expect(await mon.cleanupCooldowns('a')).toBe(2);
    expect(await mon.cleanupCooldowns('')).toBe(2);
    await mon.setCooldown('d', 'x');
    expect(await mon.cleanupCooldowns(null)).toBe(1);
    expect(await mon.cleanupCooldowns()).toBe(0);
  });
});

describe('MonitoringRepository on a migrated legacy file', () => {
  it('reads Python-written samples and cooldowns, and writes Z6 timestamps', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const time = testClock('2026-03-21T12:20:00Z');
    const mon = repositoryOn(ds, MonitoringRepository, { clock: time.clock });
    expect(await mon.getLatestHealthCheck('research-bot', 'docker')).toMatchObject({
      id: 'hc_FWGqVl8TtzDIgppB',
      oom_killed: false,
      reachable: null,
      cpu_percent: 12.5,
      memory_mb: 1780.2,
      restart_count: 0,
      checked_at: new Date('2026-03-21T12:10:31.729Z'),
    });
    expect(await mon.getHealthSummary()).toEqual({ healthy: 0, degraded: 1, unhealthy: 0, critical: 1, unknown: 0 });
    expect((await mon.getAllLatestHealthChecks())['ops-agent']).toMatchObject({ oom_killed: true, reachable: false, restart_count: 3 });
    expect(await mon.calculateAvgLatency('research-bot')).toBe(23.4);
    expect(await mon.getCooldown('ops-agent', 'container_down')).toEqual(new Date('2026-03-21T12:10:31.733Z'));
    expect(await mon.isInCooldown('ops-agent', 'container_down', 600)).toBe(true);
    expect(await mon.isInCooldown('ops-agent', 'container_down', 60)).toBe(false);
    // A garbage stored time is no cooldown (Python: a parse failure -> False).
    await ds.query(`INSERT INTO monitoring_alert_cooldowns (id, agent_name, condition, last_alert_at) VALUES ('cd_x', 'x', 'c', 'garbage')`);
    expect(await mon.isInCooldown('x', 'c', 3600)).toBe(false);
    const id = await mon.createHealthCheck('research-bot', 'aggregate', 'healthy', { oom_killed: false });
    await mon.setCooldown('research-bot', 'high_latency');
    await ds.destroy();
    const raw = withDatabase(copy.path, (db) => ({
      check: db.prepare(`SELECT checked_at, created_at, oom_killed, reachable FROM agent_health_checks WHERE id = ?`).get(id),
      cooldown: db.prepare(`SELECT id, last_alert_at FROM monitoring_alert_cooldowns WHERE agent_name = 'research-bot'`).all(),
    }));
    expect(raw.check).toEqual({ checked_at: '2026-03-21T12:20:00.000000Z', created_at: '2026-03-21T12:20:00.000000Z', oom_killed: 0, reachable: null });
    expect(raw.cooldown).toEqual([{ id: 'cd_kTJQf0YqxuY', last_alert_at: '2026-03-21T12:20:00.000000Z' }]);
  });
});
