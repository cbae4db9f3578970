/**
 * A view of a directory that the test process cannot write, even as root (root ignores permission
 * bits): as root a read-only bind mount of it, otherwise the directory with its write bits removed.
 * The precondition is checked by trying to create a file there; when that succeeds the helper
 * throws, so a test never passes without the constraint it claims.
 */
import { execFileSync } from 'child_process';
import { chmodSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

export interface ReadOnlyDir {
  /** The directory as the commands see it (not writable). */
  path: string;
  release(): void;
}

function assertNotWritable(dir: string, how: string): void {
  const probe = path.join(dir, '.write-probe');
  let written = false;
  try {
    writeFileSync(probe, 'x');
    written = true;
  } catch {
    return; // EROFS / EACCES: the precondition holds
  }
  if (written) rmSync(probe, { force: true });
  throw new Error(`test precondition failed: ${dir} is still writable after ${how}`);
}

export function readOnlyView(dir: string): ReadOnlyDir {
  if (process.getuid?.() === 0) {
    const mountPoint = mkdtempSync(path.join(tmpdir(), 'trinity-db-ro-'));
    try {
      execFileSync('mount', ['--bind', dir, mountPoint], { stdio: 'pipe' });
      execFileSync('mount', ['-o', 'remount,ro,bind', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      try {
        execFileSync('umount', [mountPoint], { stdio: 'pipe' });
      } catch {
        // not mounted
      }
      rmdirSync(mountPoint);
      throw new Error(`test precondition failed: cannot make a read-only bind mount of ${dir} as root: ${(error as Error).message}`);
    }
    assertNotWritable(mountPoint, 'a read-only bind mount');
    return {
      path: mountPoint,
      release() {
        execFileSync('umount', [mountPoint], { stdio: 'pipe' });
        rmdirSync(mountPoint);
      },
    };
  }
  chmodSync(dir, 0o555);
  assertNotWritable(dir, 'chmod 555');
  return { path: dir, release: () => chmodSync(dir, 0o755) };
}
