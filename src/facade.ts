import type { Repositories } from './repository';
import type { UserRepository } from './repository/user.repository';

/**
 * The facade methods of the Python DatabaseManager, each delegating to one repository method with
 * the full signature of that method. Names are the camelCase of the facade's Python names.
 */
export abstract class DatabaseFacade {
  readonly users: UserRepository;

  protected constructor(repositories: Repositories) {
    this.users = repositories.users;
  }

  getUserByUsername(...args: Parameters<UserRepository['getUserByUsername']>) {
    return this.users.getUserByUsername(...args);
  }
}
