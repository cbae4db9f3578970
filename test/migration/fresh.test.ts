import { MIGRATIONS } from '../../src/migration';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';

afterAll(cleanupTestDatabases);

it('both migration tracks have the same migration names, in the same order', () => {
  const names = (track: (typeof MIGRATIONS)['sqlite']) => track.map((m) => new m().name ?? m.name);
  expect(names(MIGRATIONS.postgres)).toEqual(names(MIGRATIONS.sqlite));
  expect(names(MIGRATIONS.sqlite)[0]).toBe('Baseline1795608000000');
});

describe.each(DRIVERS)('fresh install on %s', (driver) => {
  it('creates 43 tables and 98 named indexes, with nothing left to generate', async () => {
    const ds = await openTestDataSource(driver);
    const drift = await ds.driver.createSchemaBuilder().log();
    expect(drift.upQueries.map((q) => q.query)).toEqual([]);
  });
});
