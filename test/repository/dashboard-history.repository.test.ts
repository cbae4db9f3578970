import type { TrinityDataSource } from '../../src/data-source';
import { DashboardHistoryRepository, pyFloat, pyRound } from '../../src/repository/dashboard-history.repository';
import { DRIVERS, cleanupTestDatabases, legacyFixtureCopy, openTestDataSource } from '../support/databases';
import { failWrites, testClock } from '../support/helpers';
import { repositoryOn } from '../support/repositories';
import { withDatabase } from '../support/sqlite-snapshot';

afterAll(cleanupTestDatabases);

const metric = (value: unknown, extra: Record<string, unknown> = {}) => ({ type: 'metric', value, ...extra });

describe('Python-compatible number helpers', () => {
  it('parses like Python float()', () => {
    expect(pyFloat('1_000')).toBe(1000);
    expect(pyFloat('  +1.5e3 ')).toBe(1500);
    expect(pyFloat('.5')).toBe(0.5);
    expect(pyFloat('5.')).toBe(5);
    expect(pyFloat('-INF')).toBe(-Infinity);
    expect(pyFloat('Infinity')).toBe(Infinity);
    expect(pyFloat('nan')).toBeNaN();
    for (const bad of ['', ' ', '0x10', '1__0', '_1', '1_', '12abc', 'OK', '1.2.3']) expect(pyFloat(bad)).toBeNull();
  });

  it('rounds half to even on the exact binary value like Python round()', () => {
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(0.375, 2)).toBe(0.38);
    expect(pyRound(2.675, 2)).toBe(2.67); // 2.675 is 2.67499999... in binary
    expect(pyRound(2.5, 0)).toBe(2);
    expect(pyRound(-0.125, 2)).toBe(-0.12);
    expect(pyRound(1e20, 2)).toBe(1e20);
    expect(pyRound(15.05, 1)).toBe(15.1); // 15.05 is 15.050000000000000710...
  });
});

describe.each(DRIVERS)('DashboardHistoryRepository on %s', (driver) => {
  let ds: TrinityDataSource;
  beforeAll(async () => {
    ds = await openTestDataSource(driver);
  });
  function setup(start = '2026-03-10T23:00:00Z') {
    const time = testClock(start);
    return { time, dash: repositoryOn(ds, DashboardHistoryRepository, { clock: time.clock }) };
  }

  it('extracts values of tracked widgets with positional keys and skips the rest', async () => {
    const { dash } = setup();
    const config = {
      sections: [
        {
          widgets: [
            metric('1,234', { label: 'Count' }),
            { type: 'chart', value: 5 },
            { type: 'metric', id: '', value: 7 }, // empty id -> s0_w2 (skipped widgets are counted)
            { type: 'progress', value: '95%', label: null },
            { type: 'status', value: 'OK' },
            metric(true, { id: 'flag' }),
            { type: 'metric' },
            metric('1_000', { id: 'under' }),
            metric([1, 2], { id: 'list' }),
          ],
        },
        { widgets: [metric('$12.50', { id: 'money' }), metric(false)] },
        {},
      ],
    };
    expect(await dash.captureDashboardSnapshot('dash-a', config, 'mtime-1')).toBe(8);
    const all = await dash.getAllWidgetHistory('dash-a');
    expect(Object.keys(all)).toEqual(['flag', 'money', 's0_w0', 's0_w2', 's0_w3', 's0_w4', 's1_w1', 'under']);
    const t = new Date('2026-03-10T23:00:00Z');
    expect(all.s0_w0).toEqual([{ t, v: 1234 }]);
    expect(all.s0_w2).toEqual([{ t, v: 7 }]);
    expect(all.s0_w3).toEqual([{ t, v: 95 }]);
    expect(all.s0_w4).toEqual([{ t, v: 'OK' }]);
    expect(all.flag).toEqual([{ t, v: 1 }]);
    expect(all.under).toEqual([{ t, v: 1000 }]);
    expect(all.money).toEqual([{ t, v: 12.5 }]);
    expect(all.s1_w1).toEqual([{ t, v: 0 }]);
    const stored = await ds.query(
      driver === 'postgres'
        ? `SELECT widget_key, widget_label, value_numeric, value_text FROM agent_dashboard_values WHERE agent_name = $1 ORDER BY widget_key`
        : `SELECT widget_key, widget_label, value_numeric, value_text FROM agent_dashboard_values WHERE agent_name = ? ORDER BY widget_key`,
      ['dash-a'],
    );
    expect(stored.find((r: { widget_key: string }) => r.widget_key === 's0_w0')).toEqual({ widget_key: 's0_w0', widget_label: 'Count', value_numeric: 1234, value_text: '1,234' });
    expect(stored.find((r: { widget_key: string }) => r.widget_key === 's0_w3')).toMatchObject({ widget_label: null, value_text: '95%' });
    expect(stored.find((r: { widget_key: string }) => r.widget_key === 's0_w4')).toMatchObject({ widget_label: '', value_numeric: null, value_text: 'OK' });
  });

  it('writes nothing without sections and rejects null sections', async () => {
    const { dash } = setup();
    expect(await dash.captureDashboardSnapshot('dash-b', null, 'm')).toBe(0);
    expect(await dash.captureDashboardSnapshot('dash-b', { title: 'x' }, 'm')).toBe(0);
    expect(await dash.captureDashboardSnapshot('dash-b', { sections: [] }, 'm')).toBe(0);
    await expect(dash.captureDashboardSnapshot('dash-b', { sections: null }, 'm')).rejects.toMatchObject({ name: 'InputValidationError', field: 'config.sections' });
    expect(await dash.getLastCapturedMtime('dash-b')).toBeNull();
  });

  it('stores NaN as NULL (the text is kept) and Infinity as a number', async () => {
    const { dash } = setup();
    expect(await dash.captureDashboardSnapshot('dash-c', { sections: [{ widgets: [metric('nan', { id: 'n' }), metric('inf', { id: 'i' }), metric(NaN, { id: 'raw' })] }] }, 'm')).toBe(3);
    const all = await dash.getAllWidgetHistory('dash-c');
    expect(all.n[0].v).toBe('nan');
    expect(all.i[0].v).toBe(Infinity);
    expect(all.raw[0].v).toBeNull();
  });

  it('returns exactly the last N hours, oldest first, limited to the oldest points', async () => {
    const { dash, time } = setup();
    const snap = (v: number) => dash.captureDashboardSnapshot('dash-d', { sections: [{ widgets: [metric(v, { id: 'w' })] }] }, `m${v}`);
    time.set('2026-03-09T00:01:00Z'); // 46 h 59 min before the query: Python's day-granular window included it
    await snap(1);
    time.set('2026-03-09T23:00:00Z'); // exactly 24 h: outside (strict >)
    await snap(2);
    time.set('2026-03-09T23:00:00.001Z');
    await snap(3);
    time.set('2026-03-10T12:00:00Z');
    await snap(4);
    time.set('2026-03-10T23:00:00Z');
    expect((await dash.getWidgetHistory('dash-d', 'w')).map((p) => p.v)).toEqual([3, 4]);
    expect((await dash.getWidgetHistory('dash-d', 'w', 24, 1)).map((p) => p.v)).toEqual([3]);
    expect((await dash.getWidgetHistory('dash-d', 'w', 48)).map((p) => p.v)).toEqual([1, 2, 3, 4]);
    expect((await dash.getAllWidgetHistory('dash-d', 12)).w.map((p) => p.v)).toEqual([4]);
    expect(await dash.getWidgetHistory('dash-d', 'w', -5)).toEqual([]);
    expect(await dash.getAllWidgetHistory('dash-d', -5)).toEqual({});
    expect(await dash.getLastCapturedMtime('dash-d')).toBe('m4');
  });

  it('returns null for an empty text value', async () => {
    const { dash } = setup();
    await dash.captureDashboardSnapshot('dash-e', { sections: [{ widgets: [{ type: 'status', id: 's', value: '' }] }] }, 'm');
    expect(await dash.getWidgetHistory('dash-e', 's')).toEqual([{ t: new Date('2026-03-10T23:00:00Z'), v: null }]);
  });

  it('computes stats with Python rounding and half-split trends', () => {
    const { dash } = setup();
    expect(dash.calculateWidgetStats([])).toEqual({ min: null, max: null, avg: null, trend: 'stable', trend_percent: 0 });
    expect(dash.calculateWidgetStats([{ v: 'OK' }, { v: null }])).toEqual({ min: null, max: null, avg: null, trend: 'stable', trend_percent: 0 });
    expect(dash.calculateWidgetStats([10, 10, 20, 20].map((v) => ({ v })))).toEqual({ min: 10, max: 20, avg: 15, trend: 'up', trend_percent: 100 });
    expect(dash.calculateWidgetStats([0, 0, 5].map((v) => ({ v })))).toEqual({ min: 0, max: 5, avg: 1.67, trend: 'stable', trend_percent: 0 });
    expect(dash.calculateWidgetStats([{ v: 0.125 }])).toMatchObject({ min: 0.12, max: 0.12, avg: 0.12, trend: 'stable' });
    // Odd length: the second half is the longer one. first = 10, second = mean(9, 9) = 9 -> -10 %.
    expect(dash.calculateWidgetStats([10, 9, 9].map((v) => ({ v })))).toMatchObject({ trend: 'down', trend_percent: -10 });
    // Booleans count as numbers; strings are ignored. first = 1, second = 1.04 -> +4 %: stable.
    expect(dash.calculateWidgetStats([{ v: true }, { v: 'x' }, { v: 1.04 }])).toEqual({ min: 1, max: 1.04, avg: 1.02, trend: 'stable', trend_percent: 4 });
  });

  it('cleans up rows older than exactly N days and deletes an agent history', async () => {
    const { dash, time } = setup();
    const snap = (id: string) => dash.captureDashboardSnapshot('dash-f', { sections: [{ widgets: [metric(1, { id })] }] }, 'm');
    time.set('2026-01-01T00:00:00Z');
    await snap('ancient');
    time.set('2026-02-08T22:59:59.999Z'); // 30 days + 1 ms before the cleanup
    await snap('old');
    time.set('2026-02-08T23:00:00.001Z'); // 1 ms short of 30 days: Python's day-granular cut-off kept it too, but the row before as well
    await snap('young');
    time.set('2026-03-10T23:00:00Z');
    expect(await dash.cleanupOldSnapshots(-5)).toBe(0);
    // Other tests' rows are younger than 30 days.
    expect(await dash.cleanupOldSnapshots()).toBe(2);
    expect(Object.keys(await dash.getAllWidgetHistory('dash-f', 24 * 60))).toEqual(['young']);
    await dash.captureDashboardSnapshot('dash-f', { sections: [{ widgets: [metric(1), metric(2)] }] }, 'm');
    expect(await dash.deleteAgentDashboardHistory('dash-f')).toBe(3);
    expect(await dash.deleteAgentDashboardHistory('dash-f')).toBe(0);
  });

  it('rolls back a snapshot when one insert fails', async () => {
    const own = await openTestDataSource(driver);
    await failWrites(own, driver, 'INSERT', 'agent_dashboard_values', { when: { column: 'widget_key', value: 'bad' }, name: 'boom', message: 'boom' });
    const dash = repositoryOn(own, DashboardHistoryRepository);
    await expect(dash.captureDashboardSnapshot('dash-g', { sections: [{ widgets: [metric(1, { id: 'good' }), metric(2, { id: 'bad' })] }] }, 'm')).rejects.toThrow('boom');
    expect(await dash.deleteAgentDashboardHistory('dash-g')).toBe(0);
  });
});

describe('DashboardHistoryRepository on a migrated legacy file', () => {
  it('reads Python-written values and writes Z6 captured_at with the SQLite default created_at', async () => {
    const copy = legacyFixtureCopy('trinity-2026-04-01-8068f0db.db');
    const ds = await openTestDataSource('sqlite', { url: copy.url });
    const dash = repositoryOn(ds, DashboardHistoryRepository, { clock: () => new Date('2026-03-21T14:00:00Z') });
    expect(await dash.getWidgetHistory('research-bot', 's0_w0')).toEqual([
      { t: new Date('2026-03-21T12:10:31.734Z'), v: 1234 },
      { t: new Date('2026-03-21T13:10:32.256Z'), v: 1301.5 },
    ]);
    const all = await dash.getAllWidgetHistory('research-bot');
    expect(Object.keys(all)).toEqual(['revenue', 's0_w0', 's0_w1', 's0_w2']);
    expect(all.s0_w2.map((p) => p.v)).toEqual(['OK ✅', 'OK ✅']);
    expect(all.revenue.map((p) => p.v)).toEqual([1234.56, 1234.56]);
    expect(await dash.getLastCapturedMtime('research-bot')).toBe('2026-01-30T09:00:00.654321');
    await dash.captureDashboardSnapshot('research-bot', { sections: [{ widgets: [metric('$1,234.56', { id: 'revenue', label: 'Revenue' })] }] }, '2026-03-21T13:59:00.000001');
    await ds.destroy();
    const raw = withDatabase(copy.path, (db) =>
      db.prepare(`SELECT captured_at, created_at, value_numeric, value_text FROM agent_dashboard_values WHERE dashboard_mtime = '2026-03-21T13:59:00.000001'`).get(),
    ) as Record<string, unknown>;
    expect(raw).toEqual({ captured_at: '2026-03-21T14:00:00.000000Z', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), value_numeric: 1234.56, value_text: '$1,234.56' });
  });
});
