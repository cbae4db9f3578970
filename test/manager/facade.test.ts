/**
 * The DatabaseManager facade against the Python facade's method list (test/fixtures/reference/methods.json
 * → facade): every method exists, delegates to the right repository method with its arguments
 * untouched, and answers on both drivers.
 */
import { TrinityDbError } from '../../src/errors';
import { FACADE_METHODS, STATIC_FACADE_METHODS } from '../../src/facade';
import { DatabaseManager } from '../../src/manager';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl } from '../support/databases';
import { SPEC_FACADE, plausibleArgument } from '../support/reliability-helpers';

/** The two pass-throughs the Python facade forgot (its agent section). */
const ADDED = ['getFullCapabilities', 'setFullCapabilities'];

const opened: DatabaseManager[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
  await cleanupTestDatabases();
});

describe('the facade method list', () => {
  it('has exactly the spec facade methods plus the two forgotten ones', () => {
    const expected = [...SPEC_FACADE.map((m) => m.ts), ...ADDED].sort();
    expect([...Object.keys(FACADE_METHODS), ...Object.keys(STATIC_FACADE_METHODS)].sort()).toEqual(expected);
    expect(expected).toHaveLength(308);
  });

  it('keeps the static shared-folder helpers static as well', () => {
    expect(DatabaseManager.getSharedVolumeName('alpha')).toBe(STATIC_FACADE_METHODS.getSharedVolumeName('alpha'));
    expect(DatabaseManager.getSharedMountPath('alpha')).toBe(STATIC_FACADE_METHODS.getSharedMountPath('alpha'));
  });
});

describe.each(DRIVERS)('DatabaseManager facade on %s', (driver) => {
  let db: DatabaseManager;
  beforeAll(async () => {
    db = await DatabaseManager.open({ url: await emptyDatabaseUrl(driver), env: { ADMIN_PASSWORD: 'Facade-Passw0rd!' } });
    opened.push(db);
  });

  it('delegates every method to its repository method, arguments and result untouched', async () => {
    for (const [name, [repository, method]] of Object.entries(FACADE_METHODS)) {
      const target = (db as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[repository];
      const result = Symbol(name);
      const spy = jest.spyOn(target, method).mockImplementation(async () => result);
      const args = [Symbol('a'), { nested: true }, 3];
      await expect((db as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name](...args)).resolves.toBe(result);
      expect(spy).toHaveBeenCalledWith(...args);
      spy.mockRestore();
    }
  });

  it('answers every method on a real database: a result or a typed error, never a crash', async () => {
    const crashes: string[] = [];
    for (const method of SPEC_FACADE) {
      const args = method.params.map(plausibleArgument);
      try {
        await (db as unknown as Record<string, (...a: unknown[]) => unknown>)[method.ts](...args);
      } catch (error) {
        if (!(error instanceof TrinityDbError)) crashes.push(`${method.ts}(${method.params.join(', ')}): ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
      }
    }
    expect(crashes).toEqual([]);
  });
});
