// PgBouncer for the tests and the benchmark: Debian's `pgbouncer` binary (1.18) in transaction mode
// in front of a PostgreSQL server, configured by docs/examples/pgbouncer.ini with only its site
// settings (addresses, files, [databases]) replaced. CommonJS with a .d.ts, so that the jest global
// setup (ESM), the suites (TypeScript) and bench/ share it.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const EXAMPLE_CONFIG = path.resolve(__dirname, '../../docs/examples/pgbouncer.ini');
const SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

/** The pgbouncer binary: $PGBOUNCER, else on PATH or in the sbin directories (not on a user's PATH). */
function findPgBouncer() {
  if (process.env.PGBOUNCER) return existsSync(process.env.PGBOUNCER) ? process.env.PGBOUNCER : null;
  const dirs = [...(process.env.PATH || '').split(path.delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'pgbouncer');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The example configuration with `site` values for its keys (keys it lacks are appended to
 * [pgbouncer]) and `databases` as the whole [databases] section.
 */
function renderConfig(exampleText, site, databases) {
  const out = [];
  const pending = new Map(Object.entries(site));
  let section = '';
  const flush = () => {
    if (section === 'pgbouncer') for (const [key, value] of pending) out.push(`${key} = ${value}`);
    if (section === 'pgbouncer') pending.clear();
  };
  for (const line of exampleText.split('\n')) {
    const header = /^\s*\[(\w+)\]\s*$/.exec(line);
    if (header) {
      flush();
      section = header[1];
      out.push(line);
      if (section === 'databases') out.push(...databases);
      continue;
    }
    if (section === 'databases' && !/^\s*(;|$)/.test(line)) continue;
    const setting = /^\s*([a-z_]+)\s*=/.exec(line);
    if (section === 'pgbouncer' && setting && pending.has(setting[1])) {
      out.push(`${setting[1]} = ${pending.get(setting[1])}`);
      pending.delete(setting[1]);
      continue;
    }
    out.push(line);
  }
  flush();
  return out.join('\n');
}

/** A non-root account for pgbouncer (it refuses to run as root): the server's `postgres` user. */
function unprivilegedUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      execFileSync('id', ['-u', name], { stdio: 'ignore' });
      return name;
    } catch {
      // not there: try the next one
    }
  }
  throw new Error('pgbouncer refuses to run as root and neither a postgres nor a nobody account exists');
}

function waitForPort(port, child, stderr, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`pgbouncer exited (${child.exitCode ?? child.signalCode}): ${stderr().slice(-800)}`));
        return;
      }
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`pgbouncer did not listen on ${port} within ${timeoutMs} ms: ${stderr().slice(-800)}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts pgbouncer in front of `server` ({ host, port }); `user`/`password` is the role it logs in
 * with for auth_query (and the role of the returned URLs). `settings` override [pgbouncer] values
 * (a test that needs one server connection sets default_pool_size = 1).
 */
async function startPgBouncer({ server, user, password, settings = {}, port }) {
  const binary = findPgBouncer();
  if (!binary) throw new Error('pgbouncer is not installed (Debian: apt-get install -y pgbouncer)');
  const listenPort = port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trinity-db-pgbouncer-'));
  chmodSync(dir, 0o755); // pgbouncer runs as the postgres account when the tests run as root
  const quote = (text) => `"${String(text).replace(/"/g, '""')}"`;
  writeFileSync(path.join(dir, 'userlist.txt'), password ? `${quote(user)} ${quote(password)}\n` : `${quote(user)} ""\n`);
  chmodSync(path.join(dir, 'userlist.txt'), 0o644);
  const site = {
    listen_addr: '127.0.0.1',
    listen_port: String(listenPort),
    unix_socket_dir: '',
    logfile: '',
    pidfile: '',
    admin_users: user,
    auth_file: path.join(dir, 'userlist.txt'),
    // A server without passwords (a trust TEST_DATABASE_URL) gets a pooler without them.
    ...(password ? { auth_user: user } : { auth_type: 'trust', auth_user: '' }),
    log_connections: '0',
    log_disconnections: '0',
    ...settings,
  };
  const config = renderConfig(readFileSync(EXAMPLE_CONFIG, 'utf8'), site, [`* = host=${server.host} port=${server.port}`]);
  const ini = path.join(dir, 'pgbouncer.ini');
  writeFileSync(ini, config);
  chmodSync(ini, 0o644);
  const account = unprivilegedUser();
  const args = account ? ['-u', account, ini] : [ini];

  let child = null;
  let stderr = '';
  const launch = async () => {
    stderr = '';
    child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk.toString()).slice(-20000);
    });
    // Not kept alive by this process, and not left behind by it either.
    child.unref();
    child.stderr.unref?.();
    const running = child;
    const killOnExit = () => running.kill('SIGTERM');
    process.once('exit', killOnExit);
    running.once('exit', () => process.removeListener('exit', killOnExit));
    await waitForPort(listenPort, child, () => stderr, 15000);
  };
  const halt = () =>
    new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM'); // immediate shutdown: every client and server connection is dropped
    });
  await launch();
  const credentials = password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}` : encodeURIComponent(user);
  return {
    host: '127.0.0.1',
    port: listenPort,
    binary,
    configFile: ini,
    /** A URL for `database` through this pgbouncer, as `user`. */
    url: (database) => `postgresql://${credentials}@127.0.0.1:${listenPort}/${encodeURIComponent(database)}`,
    log: () => stderr,
    stop: halt,
    start: launch,
    async restart() {
      await halt();
      await launch();
    },
    async dispose() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { EXAMPLE_CONFIG, findPgBouncer, renderConfig, startPgBouncer };
