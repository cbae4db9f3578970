import * as crypto from 'crypto';
import { EmailLoginCode, EmailWhitelist, User } from '../entity';
import { NotFoundError, UniqueConstraintError } from '../errors';
import type { LoginCodeCreatedDict, LoginCodeVerifiedDict, WhitelistRow } from '../model/email-auth.model';
import type { UserDict } from '../model/user.model';
import { requireInteger, requireString, timeFromNow } from '../model/validate';
import { BaseRepository } from './base.repository';
import { insertUnlessExists } from './insert-unless-exists';
import { tokenUrlsafe } from './ids';
import { UserRepository } from './user.repository';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Email case folding, the same on both drivers (docs/COMPATIBILITY.md → "Email case folding"):
 * - arguments are lower-cased in TypeScript with Unicode rules (as Python's `str.lower()`), and every
 *   email this repository stores is lower-cased that way;
 * - the stored column is folded with ASCII rules only, which is what the legacy `LOWER(email)` did on
 *   SQLite (`sql.asciiLower`: on PostgreSQL, whose lower() is Unicode, LOWER under the "C" collation).
 * Rows written by either layer are already lower-case, so for them this is a plain Unicode
 * case-insensitive match; a row holding non-ASCII upper case (never written by either layer) matches
 * on neither driver, as before.
 */
export function foldEmail(email: string): string {
  return email.toLowerCase();
}

/** A uniformly random 6-digit code, zero-padded ("004217"). */
export function generateLoginCode(): string {
  return crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** Email whitelist, 6-digit login codes and email users (Python `EmailAuthOperations`). */
export class EmailAuthRepository extends BaseRepository {
  /** Python passed `user_ops`; one instance on the same executor serves every call. */
  private readonly users = new UserRepository(this.executor, this.options);

  async isEmailWhitelisted(email: string): Promise<boolean> {
    requireString('email', email, { allowEmpty: true });
    const rows = await this.select(`SELECT 1 AS found FROM email_whitelist WHERE ${this.sql.asciiLower('email')} = ? LIMIT 1`, [foldEmail(email)]);
    return rows.length > 0;
  }

  /**
   * Whitelists the lower-cased email; false when it is already whitelisted. Throws
   * `Error('User not found: <addedBy>')` when the adding username does not exist. `added_by` stores
   * that user's numeric id as text.
   */
  async addToWhitelist(email: string, addedBy: string, source = 'manual'): Promise<boolean> {
    requireString('email', email);
    requireString('addedBy', addedBy);
    requireString('source', source);
    if (await this.isEmailWhitelisted(email)) return false;
    const user = await this.users.getUserByUsername(addedBy);
    if (!user) throw new NotFoundError(`User not found: ${addedBy}`);
    const folded = foldEmail(email);
    return this.atomically(async (auth) => {
      // A concurrent insert of the same email makes this false (Python raised IntegrityError) and takes no id.
      if (this.sql.keyLock) await auth.select(this.sql.keyLock, [`email_whitelist.email:${folded}`]);
      const { affected } = await auth.execute(
        ...insertUnlessExists('email_whitelist', { email: folded, added_by: String(user.id), added_at: this.encode(EmailWhitelist, 'added_at', this.now()), source }, ['email']),
      );
      return affected > 0;
    });
  }

  async removeFromWhitelist(email: string): Promise<boolean> {
    requireString('email', email, { allowEmpty: true });
    const { affected } = await this.execute(`DELETE FROM email_whitelist WHERE ${this.sql.asciiLower('email')} = ?`, [foldEmail(email)]);
    return affected > 0;
  }

  /**
   * Newest first, with the adding user's username (null when that user is gone). A negative limit
   * means no limit (SQLite's LIMIT -1), on both drivers.
   */
  async listWhitelist(limit = 100): Promise<WhitelistRow[]> {
    requireInteger('limit', limit);
    const rows = await this.select(
      ...this.withLimit(
        `SELECT w.id, w.email, w.added_by, u.username AS added_by_username, w.added_at, w.source
           FROM email_whitelist w LEFT JOIN users u ON CAST(u.id AS TEXT) = w.added_by
          ORDER BY w.added_at DESC, w.id DESC`,
        [],
        limit,
      ),
    );
    return rows.map((raw) => {
      const row = this.decodeRow<WhitelistRow>(EmailWhitelist, raw);
      return { ...row, id: Number(row.id), added_by: String(row.added_by), added_by_username: row.added_by_username ?? null };
    });
  }

  /**
   * A new 6-digit code for the lower-cased email, valid for `expiryMinutes`. Earlier codes stay
   * valid (no invalidation or rate limit here; see countRecentCodeRequests).
   */
  async createLoginCode(email: string, expiryMinutes = 10): Promise<LoginCodeCreatedDict> {
    requireString('email', email);
    requireInteger('expiryMinutes', expiryMinutes);
    const id = tokenUrlsafe(16);
    const code = generateLoginCode();
    const now = this.now();
    const createdAt = this.encode(EmailLoginCode, 'created_at', now);
    const expiresAt = this.encode(EmailLoginCode, 'expires_at', timeFromNow('expiryMinutes', now, expiryMinutes, MINUTE_MS));
    await this.execute(`INSERT INTO email_login_codes (id, email, code, created_at, expires_at, verified) VALUES (?, ?, ?, ?, ?, ?)`, [
      id,
      foldEmail(email),
      code,
      createdAt,
      expiresAt,
      this.encode(EmailLoginCode, 'verified', false),
    ]);
    return {
      code_id: id,
      code,
      created_at: this.decode(EmailLoginCode, 'created_at', createdAt),
      expires_at: this.decode(EmailLoginCode, 'expires_at', expiresAt),
      expires_in_seconds: expiryMinutes * 60,
    };
  }

  /**
   * Consumes the newest unverified code matching email and code. Wrong, used or expired -> null
   * (an expired code is not consumed). Single use even under concurrency: the UPDATE only succeeds
   * while the row is still unverified.
   */
  async verifyLoginCode(email: string, code: string): Promise<LoginCodeVerifiedDict | null> {
    requireString('email', email, { allowEmpty: true });
    requireString('code', code, { allowEmpty: true });
    const unverified = this.encode(EmailLoginCode, 'verified', false);
    const rows = await this.select<Record<string, unknown>>(
      `SELECT id, expires_at FROM email_login_codes
        WHERE ${this.sql.asciiLower('email')} = ? AND code = ? AND verified = ?
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      [foldEmail(email), code, unverified],
    );
    if (!rows.length) return null;
    const row = this.decodeRow<{ id: string; expires_at: Date | null }>(EmailLoginCode, rows[0]);
    const now = this.now();
    if (!row.expires_at || now.getTime() > row.expires_at.getTime()) return null;
    const { affected } = await this.execute(`UPDATE email_login_codes SET verified = ?, used_at = ? WHERE id = ? AND verified = ?`, [
      this.encode(EmailLoginCode, 'verified', true),
      this.encode(EmailLoginCode, 'used_at', now),
      row.id,
      unverified,
    ]);
    if (!affected) return null;
    return { code_id: row.id, email: foldEmail(email), verified: true };
  }

  /** Codes created for the email in the last `minutes` minutes (verified ones included). */
  async countRecentCodeRequests(email: string, minutes = 10): Promise<number> {
    requireString('email', email, { allowEmpty: true });
    requireInteger('minutes', minutes);
    // The column is only ever written in the naive format, whose text order is time order.
    const cutoff = this.encode(EmailLoginCode, 'created_at', timeFromNow('minutes', this.now(), -minutes, MINUTE_MS));
    const [row] = await this.select<{ n: unknown }>(
      `SELECT COUNT(*) AS n FROM email_login_codes WHERE ${this.sql.asciiLower('email')} = ? AND created_at > ?`,
      [foldEmail(email), cutoff],
    );
    return Number(row.n);
  }

  /** Deletes codes created more than `days` days ago; returns how many. */
  async cleanupOldCodes(days = 1): Promise<number> {
    requireInteger('days', days);
    const cutoff = this.encode(EmailLoginCode, 'created_at', timeFromNow('days', this.now(), -days, DAY_MS));
    const { affected } = await this.execute(`DELETE FROM email_login_codes WHERE created_at < ?`, [cutoff]);
    return affected;
  }

  /**
   * The user whose email column equals `email` exactly; else creates username = email = the
   * lower-cased email and returns the user found by the ORIGINAL argument. Parity quirks of the
   * Python layer: a mixed-case new email creates the user and returns null; when a user whose
   * username is the lower-cased email exists but was not found (a mixed-case argument, or that
   * user's email column differs) it throws UniqueConstraintError (`users.username`), as Python's
   * INSERT did, and no id is taken. Callers lower-case first. Concurrent first logins with one
   * email serialise: one creates the user, the others find it.
   */
  async getOrCreateEmailUser(email: string): Promise<UserDict | null> {
    requireString('email', email);
    const username = foldEmail(email);
    return this.atomically(async (auth) => {
      if (this.sql.keyLock) await auth.select(this.sql.keyLock, [`users.username:${username}`]);
      const existing = await auth.users.getUserByEmail(email);
      if (existing) return existing;
      if (await auth.users.getUserByUsername(username)) throw new UniqueConstraintError('users', ['username']);
      const now = this.now();
      await auth.execute(`INSERT INTO users (username, role, email, created_at, updated_at) VALUES (?, 'user', ?, ?, ?)`, [
        username,
        username,
        this.encode(User, 'created_at', now),
        this.encode(User, 'updated_at', now),
      ]);
      return auth.users.getUserByEmail(email);
    });
  }

}
