/**
 * TLS as libpq users expect (src/config.ts): a private PostgreSQL with `ssl=on` and a certificate
 * for `localhost` signed by a CA that `openssl` makes here, plus a second, unrelated CA.
 * - verify-full checks the chain and the host name: `localhost` passes, 127.0.0.1 is refused;
 * - verify-ca checks the chain only: 127.0.0.1 passes, a certificate of another CA is refused;
 * - require encrypts without verifying, unless sslrootcert is given (then as verify-ca);
 * - sslcert/sslkey present a client certificate (the server's `cert` authentication);
 * - disable connects in plain text.
 */
import { execFileSync } from 'child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { Client } from 'pg';
import { createDataSource } from '../../src/data-source';
import { DatabaseUnavailableError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { QUIET_LOGGER, settle, startPrivatePostgres, type PrivatePostgres } from '../support/reliability-helpers';

const PASSWORD = 'Tls-Server-Pw';
let dir: string;
let server: PrivatePostgres;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA (key + self-signed certificate) named `name`. */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

/** A key and a certificate for `subject`, signed by the CA `ca`, with `altNames` (e.g. DNS:localhost). */
function makeCert(name: string, ca: string, subject: string, altNames?: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${subject}`);
  const extensions = path.join(dir, `${name}.ext`);
  writeFileSync(extensions, altNames ? `subjectAltName=${altNames}\n` : 'basicConstraints=CA:FALSE\n');
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', extensions);
}

const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'trinity-db-tls-'));
  chmodSync(dir, 0o755); // the server runs as the postgres account when the tests run as root
  makeCa('ca');
  makeCa('other-ca');
  makeCert('server', 'ca', 'localhost', 'DNS:localhost');
  makeCert('client', 'ca', 'certuser');
  // The server refuses a key others can read; as root it runs as postgres, which must own it.
  chmodSync(file('server.key'), 0o600);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    chownSync(file('server.key'), uid, -1);
  }
  for (const readable of ['server.crt', 'ca.crt']) chmodSync(file(readable), 0o644);
  // certuser logs in with its client certificate only; everyone else with a password, TLS or not.
  writeFileSync(
    file('pg_hba.conf'),
    ['hostssl all certuser 127.0.0.1/32 cert', 'hostssl all certuser ::1/128 cert', 'host all all 127.0.0.1/32 password', 'host all all ::1/128 password', ''].join('\n'),
  );
  chmodSync(file('pg_hba.conf'), 0o644);
  server = await startPrivatePostgres(PASSWORD, {
    flags: ['-c', 'ssl=on', '-c', `ssl_cert_file=${file('server.crt')}`, '-c', `ssl_key_file=${file('server.key')}`, '-c', `ssl_ca_file=${file('ca.crt')}`, '-c', `hba_file=${file('pg_hba.conf')}`],
  });
  const admin = new Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE ROLE certuser LOGIN');
  await admin.query('CREATE DATABASE trinity_tls OWNER certuser');
  await admin.end();
});

afterAll(async () => {
  await server?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function url(host: string, options: string, user = `postgres:${PASSWORD}`): string {
  return `postgresql://${user}@${host}:${server.port}/postgres?${options}`;
}

/** Connects through trinity-db's own DataSource and pool, and reports what the server saw. */
async function connection(target: string): Promise<{ ssl: boolean; user: string }> {
  const dataSource = createDataSource(target, { migrations: [] });
  await dataSource.initialize();
  try {
    const [row] = await dataSource.executor.select<{ ssl: boolean | null; user: string }>(
      'SELECT (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl, current_user AS user',
    );
    return { ssl: row.ssl === true, user: row.user };
  } finally {
    await dataSource.destroy();
  }
}

async function refusal(target: string): Promise<DatabaseUnavailableError> {
  const outcome = await settle(connection(target));
  expect(outcome.ok).toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(DatabaseUnavailableError);
  expect((error as Error).message).not.toContain(PASSWORD);
  return error as DatabaseUnavailableError;
}

describe('TLS to PostgreSQL (sslmode, sslrootcert, sslcert, sslkey)', () => {
  it('verify-full accepts the certificate for the host name it was issued to', async () => {
    await expect(connection(url('localhost', `sslmode=verify-full&sslrootcert=${file('ca.crt')}`))).resolves.toEqual({ ssl: true, user: 'postgres' });
  });

  it('verify-full refuses a certificate whose name does not match the host', async () => {
    const error = await refusal(url('127.0.0.1', `sslmode=verify-full&sslrootcert=${file('ca.crt')}`));
    expect(error.message).toMatch(/TLS certificate was refused \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
  });

  it('verify-ca checks the chain but not the name: 127.0.0.1 is accepted, a certificate of another CA is refused', async () => {
    await expect(connection(url('127.0.0.1', `sslmode=verify-ca&sslrootcert=${file('ca.crt')}`))).resolves.toEqual({ ssl: true, user: 'postgres' });
    const error = await refusal(url('localhost', `sslmode=verify-ca&sslrootcert=${file('other-ca.crt')}`));
    expect(error.message).toMatch(/TLS certificate was refused/);
  });

  it('require encrypts without verifying; with sslrootcert it verifies the chain as verify-ca does (libpq)', async () => {
    await expect(connection(url('127.0.0.1', 'sslmode=require'))).resolves.toEqual({ ssl: true, user: 'postgres' });
    await expect(connection(url('127.0.0.1', `sslmode=require&sslrootcert=${file('ca.crt')}`))).resolves.toEqual({ ssl: true, user: 'postgres' });
    const error = await refusal(url('127.0.0.1', `sslmode=require&sslrootcert=${file('other-ca.crt')}`));
    expect(error.message).toMatch(/TLS certificate was refused/);
  });

  it('disable connects without TLS', async () => {
    await expect(connection(url('127.0.0.1', 'sslmode=disable'))).resolves.toEqual({ ssl: false, user: 'postgres' });
  });

  it('sslcert and sslkey present a client certificate: certuser logs in with it and without a password, and is refused without it', async () => {
    const withCertificate = `sslmode=verify-full&sslrootcert=${file('ca.crt')}&sslcert=${file('client.crt')}&sslkey=${file('client.key')}`;
    await expect(connection(url('localhost', withCertificate, 'certuser'))).resolves.toEqual({ ssl: true, user: 'certuser' });
    const error = await refusal(url('localhost', `sslmode=verify-full&sslrootcert=${file('ca.crt')}`, 'certuser'));
    expect(error.message).toMatch(/authentication failed \(28000\): connection requires a valid client certificate/);
  });

  it('DatabaseManager works over verify-full end to end (migrations, pool, transactions)', async () => {
    const target = `postgresql://certuser@localhost:${server.port}/trinity_tls?sslmode=verify-full&sslrootcert=${file('ca.crt')}&sslcert=${file('client.crt')}&sslkey=${file('client.key')}`;
    const db = await DatabaseManager.open({ url: target, env: {}, logger: QUIET_LOGGER });
    try {
      await db.transaction((tx) => tx.setSetting('over', 'tls'));
      expect(await db.getSettingValue('over')).toBe('tls');
      const ssl = await db.executor.select<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(ssl).toEqual([{ ssl: true }]);
    } finally {
      await db.close();
    }
  });
});
