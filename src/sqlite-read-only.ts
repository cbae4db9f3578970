/**
 * Opening a SQLite file without writing anything: no journal-mode change, no file or directory
 * created, no `-wal` / `-shm` left beside a file that had none, and a file in a directory the user
 * cannot write still opens.
 *
 * A read-only connection (better-sqlite3 `readonly`, SQLITE_OPEN_READONLY) is enough for a file in
 * rollback-journal mode (every legacy trinity.db), and for a WAL-mode file whose `-wal` and `-shm`
 * both exist (a database in use, or one whose writer died): SQLite reads through them and creates
 * nothing. A WAL-mode file without them (a cleanly closed database, a backup) is different: to read
 * it SQLite opens the WAL index, so it creates `-wal` and `-shm` beside the file (which a read-only
 * connection cannot remove again) or, where it cannot, fails with SQLITE_CANTOPEN. SQLite's answer is
 * the `immutable=1` URI parameter, but better-sqlite3 is built without URI filenames. So such a file
 * (and a lone `-wal` without `-shm`, e.g. a backup taken as file copies) is read from a private copy
 * in the system temporary directory, taken while the file is checked to stay unchanged, and removed
 * when the connection closes.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, type Stats } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { DatabaseUnavailableError } from './errors';

/** The header every SQLite 3 database starts with. */
const SQLITE_MAGIC = 'SQLite format 3\u0000';
/** Offsets of the file format write / read versions: 1 = rollback journal, 2 = WAL. */
const WRITE_VERSION_OFFSET = 18;
const READ_VERSION_OFFSET = 19;
const SNAPSHOT_ATTEMPTS = 3;

export interface SqliteReadOnlyView {
  /** The file to open read-only: the database itself, or its private copy. */
  path: string;
  /** True when `path` is a private copy (a WAL-mode file without its -wal and -shm). */
  copied: boolean;
  /** Removes the private copy (no-op otherwise). */
  cleanup(): void;
}

function fileHeader(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    const length = readSync(fd, header, 0, header.length, 0);
    return header.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  if (!a || !b) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

const statIfPresent = (file: string): Stats | undefined => (existsSync(file) ? statSync(file) : undefined);

/**
 * Decides how to read `file` without writing to it (see the module comment). Throws
 * DatabaseUnavailableError when the file does not exist, is not a regular file or is not a SQLite
 * database; creates nothing beside it.
 */
export function prepareSqliteReadOnly(file: string): SqliteReadOnlyView {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch {
    throw new DatabaseUnavailableError(file, 'the SQLite file does not exist');
  }
  if (!stats.isFile()) throw new DatabaseUnavailableError(file, 'not a SQLite database file (it is a directory or a device)');
  let header: Buffer;
  try {
    header = fileHeader(file);
  } catch (error) {
    throw new DatabaseUnavailableError(file, `the SQLite file cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const direct: SqliteReadOnlyView = { path: file, copied: false, cleanup: () => undefined };
  if (header.length === 0) return direct; // an empty file is an empty database
  if (header.length < 100 || header.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) {
    throw new DatabaseUnavailableError(file, 'the file is not a SQLite database (its header is not "SQLite format 3")');
  }
  const wal = header[WRITE_VERSION_OFFSET] === 2 || header[READ_VERSION_OFFSET] === 2;
  if (!wal || (existsSync(`${file}-wal`) && existsSync(`${file}-shm`))) return direct;
  return privateCopy(file);
}

/** Copies the database (and its -wal, when present) into a private directory, retrying while it changes. */
function privateCopy(file: string): SqliteReadOnlyView {
  const dir = mkdtempSync(path.join(tmpdir(), 'trinity-db-read-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const copy = path.join(dir, path.basename(file));
  try {
    for (let attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt++) {
      const before = [statIfPresent(file), statIfPresent(`${file}-wal`)];
      rmSync(`${copy}-wal`, { force: true });
      copyFileSync(file, copy);
      if (before[1]) copyFileSync(`${file}-wal`, `${copy}-wal`);
      const after = [statIfPresent(file), statIfPresent(`${file}-wal`)];
      // A connection that opened the database meanwhile would have created the -shm file.
      if (sameFile(before[0], after[0]) && sameFile(before[1], after[1]) && !existsSync(`${file}-shm`)) {
        return { path: copy, copied: true, cleanup };
      }
    }
  } catch (error) {
    cleanup();
    throw new DatabaseUnavailableError(file, `the SQLite file cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  cleanup();
  throw new DatabaseUnavailableError(file, 'the database changed while it was being read (another process is writing it); try again');
}

/**
 * A better-sqlite3 connection that only reads `file` (see the module comment); the private copy, if
 * one was needed, is removed when the connection is closed.
 */
export function openSqliteReadOnly(file: string, options: { timeout?: number } = {}): Database.Database {
  const view = prepareSqliteReadOnly(file);
  let db: Database.Database;
  try {
    db = new Database(view.path, { readonly: true, fileMustExist: true, timeout: options.timeout });
  } catch (error) {
    view.cleanup();
    throw error;
  }
  if (view.copied) {
    const close = db.close.bind(db);
    db.close = () => {
      try {
        return close();
      } finally {
        view.cleanup();
      }
    };
  }
  return db;
}
