import bcrypt from 'bcryptjs';
import { writeClock } from './codec/clock';
import { User } from './entity';
import { columnCodec } from './repository/base.repository';
import { UserRepository } from './repository/user.repository';
import type { SqlExecutor } from './sql/executor';

/** Rounds of the bcrypt hashes written here (passlib's default, as the Python start-up used). */
export const BCRYPT_ROUNDS = 12;

export interface AdminBootstrapLogger {
  info(message: string): void;
  warn(message: string): void;
}

export type AdminBootstrapResult = 'created' | 'rehashed' | 'unchanged' | 'skipped-no-password';

function passwordWarnings(password: string): string[] {
  const warnings: string[] = [];
  if (password.length < 12) warnings.push('is shorter than 12 characters');
  if (!/[A-Z]/.test(password) || !/[a-z]/.test(password)) warnings.push('should mix upper- and lower-case letters');
  if (!/\d/.test(password)) warnings.push('should contain a digit');
  if (!/[^A-Za-z0-9]/.test(password)) warnings.push('should contain a special character');
  return warnings;
}

async function verifies(password: string, hash: string): Promise<boolean> {
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}

/**
 * The Python start-up's `_ensure_admin_user`: ADMIN_USERNAME (default 'admin') with ADMIN_PASSWORD.
 * - no such user: created as admin with a bcrypt hash (email NULL), unless the password is empty;
 * - the user exists with a legacy plaintext password equal to ADMIN_PASSWORD: re-hashed;
 * - the user exists and ADMIN_PASSWORD does not verify against the stored hash: the variable wins, re-hashed.
 * A weak password only produces warnings. Nothing secret is ever logged.
 */
export async function ensureAdminUser(
  executor: SqlExecutor,
  env: NodeJS.ProcessEnv,
  logger: AdminBootstrapLogger,
  clock: () => Date = writeClock,
): Promise<AdminBootstrapResult> {
  const users = new UserRepository(executor, { clock });
  const username = env.ADMIN_USERNAME || 'admin';
  const password = env.ADMIN_PASSWORD ?? '';
  if (password) for (const warning of passwordWarnings(password)) logger.warn(`ADMIN_PASSWORD ${warning}`);

  const existing = await users.getUserByUsername(username);
  if (!existing) {
    if (!password) {
      logger.warn(`no user '${username}' and ADMIN_PASSWORD is empty: no admin account was created`);
      return 'skipped-no-password';
    }
    const now = clock();
    const stamp = (column: string) => columnCodec(executor.driver, User, column).to(now);
    // Not UserRepository.createUser: that falls back to email = username, the bootstrap leaves it NULL.
    await executor.execute(`INSERT INTO users (username, password_hash, role, email, created_at, updated_at) VALUES (?, ?, 'admin', NULL, ?, ?)`, [
      username,
      await bcrypt.hash(password, BCRYPT_ROUNDS),
      stamp('created_at'),
      stamp('updated_at'),
    ]);
    logger.info(`created the admin account '${username}'`);
    return 'created';
  }
  if (!password) return 'unchanged';
  const stored = existing.password ?? '';
  // A bcrypt hash that verifies stays; anything else (a hash of another password, a legacy plaintext
  // password, which the Python start-up could not verify either) is replaced: the variable wins.
  if (stored.startsWith('$2') && (await verifies(password, stored))) return 'unchanged';
  await users.updateUserPassword(username, await bcrypt.hash(password, BCRYPT_ROUNDS));
  logger.info(`updated the password hash of the admin account '${username}' from ADMIN_PASSWORD`);
  return 'rehashed';
}
