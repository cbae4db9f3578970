import { randomBytes, randomUUID } from 'crypto';

/** Python `secrets.token_urlsafe(n)`: n random bytes, URL-safe base64 without padding. */
export function tokenUrlsafe(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Python `str(uuid.uuid4())`. */
export function uuid4(): string {
  return randomUUID();
}

/** Splits a list into chunks for dynamic IN lists (SQLite and PostgreSQL limit bound parameters). */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
