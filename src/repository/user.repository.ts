import { User } from '../entity';
import type { UserCreate, UserDict, UserListRow, UserProfileUpdate } from '../model/user.model';
import { UserCreate as UserCreateModel } from '../model/user.model';
import { requireKnownKeys, requireString, validateInput } from '../model/validate';
import { InputValidationError, UniqueConstraintError } from '../errors';
import { BaseRepository } from './base.repository';

const USER_COLUMNS = 'id, username, password_hash, role, auth0_sub, name, picture, email, created_at, updated_at, last_login';
const LIST_COLUMNS = 'id, username, role, auth0_sub, name, picture, email, created_at, updated_at, last_login';
const LOOKUP_FIELDS = ['username', 'auth0_sub', 'id', 'email'] as const;
const PROFILE_FIELDS = ['name', 'picture', 'role', 'email'] as const;

type LookupField = (typeof LOOKUP_FIELDS)[number];
const LOOKUP_SQL = Object.fromEntries(
  LOOKUP_FIELDS.map((field) => [field, `SELECT ${USER_COLUMNS} FROM users WHERE ${field} = ? ORDER BY id LIMIT 1`]),
) as Record<LookupField, string>;
type UserRow = Omit<UserDict, 'password'> & { password_hash: string | null };

/** Platform user accounts (Python `UserOperations`). */
export class UserRepository extends BaseRepository {
  async getUserByUsername(username: string): Promise<UserDict | null> {
    return this.getUserByField('username', username);
  }

  async getUserByAuth0Sub(auth0Sub: string): Promise<UserDict | null> {
    return this.getUserByField('auth0_sub', auth0Sub);
  }

  /** Numeric strings match too, as SQLite's type affinity made them match in the Python layer. */
  async getUserById(userId: number | string): Promise<UserDict | null> {
    const id = typeof userId === 'string' && /^\s*-?\d+\s*$/.test(userId) ? Number(userId) : userId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return null;
    return this.getUserByField('id', id);
  }

  /** Exact, case-sensitive match; email is not unique, the lowest id wins. */
  async getUserByEmail(email: string): Promise<UserDict | null> {
    return this.getUserByField('email', email);
  }

  /**
   * Inserts a user (email defaults to the username). A taken username or auth0_sub throws
   * UniqueConstraintError (`UNIQUE constraint failed: users.username`, as SQLite words it), found
   * before the INSERT: a failing INSERT would take a sequence value on PostgreSQL, and the Python
   * layer's failed INSERT took no id.
   */
  async createUser(userData: UserCreate): Promise<UserDict> {
    const input = validateInput(UserCreateModel, userData, 'userData');
    const now = this.now();
    const email = input.email || input.username;
    const createdAt = this.encode(User, 'created_at', now);
    const updatedAt = this.encode(User, 'updated_at', now);
    const id = await this.atomically(async (users) => {
      if (this.sql.keyLock) {
        const keys = [`users.username:${input.username}`, ...(input.auth0_sub ? [`users.auth0_sub:${input.auth0_sub}`] : [])];
        for (const key of keys.sort()) await users.select(this.sql.keyLock, [key]);
      }
      const [taken] = await users.select<{ username: unknown; auth0_sub: unknown }>(
        `SELECT EXISTS (SELECT 1 FROM users WHERE username = ?) AS username, EXISTS (SELECT 1 FROM users WHERE auth0_sub = ?) AS auth0_sub`,
        [input.username, input.auth0_sub ?? null],
      );
      // SQLite reports the username first when both are taken (the order of the table's constraints).
      if (taken.username === true || taken.username === 1) throw new UniqueConstraintError('users', ['username']);
      if (taken.auth0_sub === true || taken.auth0_sub === 1) throw new UniqueConstraintError('users', ['auth0_sub']);
      const [row] = await users.select<{ id: number }>(
        `INSERT INTO users (username, password_hash, role, auth0_sub, name, picture, email, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [input.username, input.password ?? null, input.role ?? 'user', input.auth0_sub ?? null, input.name ?? null, input.picture ?? null, email, createdAt, updatedAt],
      );
      return row.id;
    });
    return {
      id: Number(id),
      username: input.username,
      password: input.password ?? null,
      role: input.role ?? 'user',
      auth0_sub: input.auth0_sub ?? null,
      name: input.name ?? null,
      picture: input.picture ?? null,
      email,
      created_at: this.decode(User, 'created_at', createdAt),
      updated_at: this.decode(User, 'updated_at', updatedAt),
      last_login: null,
    };
  }

  /**
   * Updates name, picture, role and email (any other key is refused; null clears a column) and bumps
   * updated_at. Returns the user, or null when it does not exist.
   */
  async updateUser(username: string, updates: UserProfileUpdate): Promise<UserDict | null> {
    requireString('username', username);
    requireKnownKeys('updates', updates, PROFILE_FIELDS, 'updateUser');
    const fields = PROFILE_FIELDS.filter((f) => updates[f] !== undefined);
    for (const field of fields) {
      const value = updates[field];
      if (value !== null && typeof value !== 'string') throw new InputValidationError(field, `expected a string or null, got ${typeof value}`);
    }
    if (!fields.length) return this.getUserByUsername(username);
    await this.execute(`UPDATE users SET ${fields.map((f) => `${f} = ?`).join(', ')}, updated_at = ? WHERE username = ?`, [
      ...fields.map((f) => updates[f]),
      this.encode(User, 'updated_at', this.now()),
      username,
    ]);
    return this.getUserByUsername(username);
  }

  /**
   * Sets the password hash of an existing user. Unlike the Python layer, an unknown username is not
   * created (as an admin!): the method returns false (docs/COMPATIBILITY.md).
   */
  async updateUserPassword(username: string, hashedPassword: string): Promise<boolean> {
    requireString('username', username);
    requireString('hashedPassword', hashedPassword);
    const { affected } = await this.execute(`UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?`, [
      hashedPassword,
      this.encode(User, 'updated_at', this.now()),
      username,
    ]);
    return affected > 0;
  }

  async updateLastLogin(username: string): Promise<void> {
    const now = this.now();
    await this.execute(`UPDATE users SET last_login = ?, updated_at = ? WHERE username = ?`, [
      this.encode(User, 'last_login', now),
      this.encode(User, 'updated_at', now),
      username,
    ]);
  }

  /**
   * Finds the user by Auth0 subject (refreshing a changed name or picture), else links the local user
   * whose username is the email, else creates one. One transaction.
   */
  async getOrCreateAuth0User(auth0Sub: string, email: string, name: string | null = null, picture: string | null = null): Promise<UserDict> {
    requireString('auth0Sub', auth0Sub);
    requireString('email', email);
    return this.atomically(async (users) => {
      // Concurrent first logins of one account serialise (PostgreSQL), so exactly one creates the user.
      if (this.sql.keyLock) for (const key of [`users.auth0_sub:${auth0Sub}`, `users.username:${email}`].sort()) await users.select(this.sql.keyLock, [key]);
      const existing = await users.getUserByAuth0Sub(auth0Sub);
      if (existing) {
        const changes: UserProfileUpdate = {};
        if (name && name !== existing.name) changes.name = name;
        if (picture && picture !== existing.picture) changes.picture = picture;
        if (!Object.keys(changes).length) return existing;
        return (await users.updateUser(existing.username, changes))!;
      }
      if (await users.getUserByUsername(email)) {
        await users.execute(`UPDATE users SET auth0_sub = ?, name = ?, picture = ?, updated_at = ? WHERE username = ?`, [
          auth0Sub,
          name,
          picture,
          this.encode(User, 'updated_at', this.now()),
          email,
        ]);
        return (await users.getUserByUsername(email))!;
      }
      return users.createUser({ username: email, password: null, role: 'user', auth0_sub: auth0Sub, name, picture, email });
    });
  }

  /** Every user without the password hash, newest first. */
  async listUsers(): Promise<UserListRow[]> {
    const rows = await this.select<Record<string, unknown>>(`SELECT ${LIST_COLUMNS} FROM users ORDER BY created_at DESC, id DESC`);
    return rows.map((row) => this.toUser(row) as UserListRow);
  }

  /** One lookup statement; builds the UserDict in one object literal (a hot path: no extra async layer). */
  private getUserByField(field: LookupField, value: unknown): Promise<UserDict | null> {
    if (!LOOKUP_FIELDS.includes(field)) return Promise.reject(new InputValidationError('field', `must be one of ${LOOKUP_FIELDS.join(', ')}`));
    if (value === null || value === undefined) return Promise.resolve(null);
    return this.select<Record<string, unknown>>(LOOKUP_SQL[field], [value]).then((rows) => (rows.length ? this.toUserDict(rows[0]) : null));
  }

  /** A users row (USER_COLUMNS) as the API's UserDict: the password hash as `password`, last. */
  private toUserDict(row: Record<string, unknown>): UserDict {
    return {
      id: Number(row.id),
      username: row.username as string,
      role: row.role as string,
      auth0_sub: (row.auth0_sub ?? null) as string | null,
      name: (row.name ?? null) as string | null,
      picture: (row.picture ?? null) as string | null,
      email: (row.email ?? null) as string | null,
      created_at: this.decode(User, 'created_at', row.created_at),
      updated_at: this.decode(User, 'updated_at', row.updated_at),
      last_login: this.decode(User, 'last_login', row.last_login),
      password: (row.password_hash ?? null) as string | null,
    } as UserDict;
  }

  private toUser(row: Record<string, unknown>): UserRow | UserListRow {
    const user = this.decodeRow<UserRow>(User, row);
    user.id = Number(user.id);
    return user;
  }
}
