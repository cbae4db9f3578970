/**
 * The DatabaseManager facade against the Python facade's method list (test/fixtures/reference/methods.json
 * → facade): every method exists, delegates to the right repository method with its arguments
 * untouched, and answers on both drivers.
 */
import { InputValidationError, TrinityDbError } from '../../src/errors';
import { FACADE_METHODS, STATIC_FACADE_METHODS, type FacadeEntry } from '../../src/facade';
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

  it('is a table the compiler checks: a misspelt repository method does not compile', () => {
    // @ts-expect-error getUserByUsernme is not a method of UserRepository
    const misspelt = { getUser: ['users', 'getUserByUsernme'] } as const satisfies Record<string, FacadeEntry>;
    // @ts-expect-error a synchronous helper is not a facade entry (those are STATIC_FACADE_METHODS)
    const synchronous = { stats: ['dashboardHistory', 'calculateWidgetStats'] } as const satisfies Record<string, FacadeEntry>;
    expect([misspelt, synchronous]).toHaveLength(2);
  });

  it('installs named functions: stack traces read DatabaseManager.<method>', async () => {
    expect(DatabaseManager.prototype.getUserByUsername.name).toBe('getUserByUsername');
    const db = await DatabaseManager.open({ url: 'sqlite://', env: {}, logger: { info: () => undefined, warn: () => undefined } });
    opened.push(db);
    const error = await db.createUser({ username: 'lone \ud800 surrogate' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as Error).stack).toMatch(/at DatabaseManager\.createUser /);
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
