import type { EntityManager } from 'typeorm';
import type { RepositoryOptions } from './base.repository';
import { UserRepository } from './user.repository';

export { BaseRepository, type RepositoryOptions } from './base.repository';
export { UserRepository } from './user.repository';

/** The repository classes under their property names on DatabaseManager (`db.users`, ...). */
export const REPOSITORY_CLASSES = {
  users: UserRepository,
} as const;

export type RepositoryKey = keyof typeof REPOSITORY_CLASSES;
export const REPOSITORY_KEYS = Object.keys(REPOSITORY_CLASSES) as RepositoryKey[];
export type Repositories = { [K in RepositoryKey]: InstanceType<(typeof REPOSITORY_CLASSES)[K]> };

/** Every repository, built on one EntityManager (the DataSource's, or a transaction's). */
export function createRepositories(manager: EntityManager, options: RepositoryOptions = {}): Repositories {
  const repositories = {} as Record<RepositoryKey, unknown>;
  for (const key of REPOSITORY_KEYS) repositories[key] = new REPOSITORY_CLASSES[key](manager, options);
  return repositories as Repositories;
}
