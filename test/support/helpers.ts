/** Small helpers shared by the repository suites (test/repository). */
import type { TrinityDataSource } from '../../src/data-source';
import { placeholders, type Driver } from '../../src/dialect';

export interface TestClock {
  clock: () => Date;
  set: (iso: string) => Date;
  advance: (ms: number) => Date;
}

/** A pinned clock for a repository's `clock` option; `set` and `advance` move it. */
export function testClock(start = '2026-03-01T10:00:00.123Z'): TestClock {
  let now = new Date(start);
  return {
    clock: () => new Date(now),
    set: (iso: string) => (now = new Date(iso)),
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

/** Raw SQL with `?` placeholders on either driver: the tests' one way to send hand-written SQL. */
export function raw(ds: TrinityDataSource, driver: Driver, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return ds.query(placeholders(driver, sql), params);
}

/** Production PostgreSQL databases may sort linguistically; the test database is C.UTF-8, so make the column ICU. */
export async function linguisticOnPostgres(ds: TrinityDataSource, table: string, column: string): Promise<void> {
  if (ds.options.type === 'postgres') await ds.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE text COLLATE "und-x-icu"`);
}

export interface FailWritesOptions {
  /** Only rows whose column has this value (the new row for INSERT, the old one otherwise); every row if omitted. */
  when?: { column: string; value: string };
  /** Trigger (and PostgreSQL function) name; default `fail_<table>[_<value>]`. */
  name?: string;
  /** Error message; default 'forced failure'. */
  message?: string;
}

/** Makes a write to `table` fail inside the database on either driver, with a BEFORE trigger; returns its name. */
export async function failWrites(ds: TrinityDataSource, driver: Driver, operation: 'INSERT' | 'UPDATE' | 'DELETE', table: string, options: FailWritesOptions = {}): Promise<string> {
  const { when, message = 'forced failure' } = options;
  const name = options.name ?? (when ? `fail_${table}_${when.value.replace(/\W/g, '_')}` : `fail_${table}`);
  const row = operation === 'INSERT' ? 'NEW' : 'OLD';
  const condition = when ? `${row}.${when.column} = '${when.value}'` : null;
  if (driver === 'sqlite') {
    await ds.query(`CREATE TRIGGER ${name} BEFORE ${operation} ON ${table}${condition ? ` WHEN ${condition}` : ''} BEGIN SELECT RAISE(ABORT, '${message}'); END`);
    return name;
  }
  const raise = `RAISE EXCEPTION '${message}';`;
  await ds.query(
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${condition ? `IF ${condition} THEN ${raise} END IF;` : raise} RETURN ${operation === 'DELETE' ? 'OLD' : 'NEW'}; END $$`,
  );
  await ds.query(`CREATE TRIGGER ${name} BEFORE ${operation} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  return name;
}
