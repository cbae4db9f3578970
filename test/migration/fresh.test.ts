import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';

afterAll(cleanupTestDatabases);

describe.each(DRIVERS)('fresh install on %s', (driver) => {
  it('creates 43 tables and 98 named indexes, with nothing left to generate', async () => {
    const ds = await openTestDataSource(driver);
    const drift = await ds.driver.createSchemaBuilder().log();
    expect(drift.upQueries.map((q) => q.query)).toEqual([]);
  });
});
