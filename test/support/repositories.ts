/**
 * How the tests build repositories. Every repository a test uses is built here, so this module is
 * the one place that knows what a repository is constructed on.
 */
import { TrinityDataSource } from '../../src/data-source';
import type { Driver } from '../../src/dialect';
import { createRepositories, type Repositories } from '../../src/repository';
import type { RepositoryOptions } from '../../src/repository/base.repository';
import type { SqlExecutor } from '../../src/sql/executor';
import { openTestDataSource } from './databases';
import { testClock, type TestClock } from './helpers';

/** A repository class: built on a DataSource's or a transaction's executor, with its options. */
export type RepositoryClass<R, O extends RepositoryOptions = RepositoryOptions> = new (executor: SqlExecutor, options?: O) => R;

/** What a repository is built on: a test DataSource, or the `tx` of `ds.executor.transaction(async (tx) => ...)`. */
export type RepositoryBase = TrinityDataSource | SqlExecutor;

function executorOf(on: RepositoryBase): SqlExecutor {
  return on instanceof TrinityDataSource ? on.executor : on;
}

/** A repository on a DataSource (or inside one of its transactions). */
export function repositoryOn<R, O extends RepositoryOptions>(on: RepositoryBase, Repository: RepositoryClass<R, O>, options?: O): R {
  return new Repository(executorOf(on), options);
}

/** Every repository (as the DatabaseManager holds them) on a DataSource. */
export function repositoriesOn(on: RepositoryBase, options: RepositoryOptions = {}): Repositories {
  return createRepositories(executorOf(on), options);
}

/**
 * The prelude of a repository suite in one call: a fresh migrated database of the driver, a pinned
 * clock (starting at `start`, see testClock) and the repository on them with that clock.
 */
export async function openRepository<R, O extends RepositoryOptions>(
  driver: Driver,
  Repository: RepositoryClass<R, O>,
  options: Omit<O, 'clock'> & { start?: string } = {} as Omit<O, 'clock'>,
): Promise<{ ds: TrinityDataSource; time: TestClock; repository: R }> {
  const { start, ...repositoryOptions } = options;
  const ds = await openTestDataSource(driver);
  const time = testClock(start);
  return { ds, time, repository: repositoryOn(ds, Repository, { ...repositoryOptions, clock: time.clock } as unknown as O) };
}
