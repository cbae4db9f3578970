/**
 * The AES-256-GCM envelope, both directions, against vectors made by Python's cryptography AESGCM with
 * the legacy recipe (test/fixtures/credential-vectors.json) and against the envelopes the Python layer
 * wrote into the legacy fixture databases.
 */
import path from 'path';
import { CredentialEncryption, CredentialEncryptionError, encryptionKeyFromEnv } from '../../src/codec/credential-encryption';
import { LEGACY_DIR, legacyManifest, readFixtureJson } from '../support/fixtures';
import { withDatabase } from '../support/sqlite-snapshot';

const vectors = readFixtureJson('credential-vectors.json') as {
  key_hex: string;
  vectors: { payload: Record<string, unknown>; nonce_hex: string; envelope: string }[];
};
const manifestKey = legacyManifest().environment.CREDENTIAL_ENCRYPTION_KEY as string;
const key = Buffer.from(vectors.key_hex, 'hex');
const crypto = new CredentialEncryption(() => key);

describe('credential envelopes', () => {
  it.each(vectors.vectors.map((v, i) => [i, v] as const))('vector %i: encrypts byte for byte as Python does, and decrypts', (_i, vector) => {
    expect(crypto.encrypt(vector.payload, Buffer.from(vector.nonce_hex, 'hex'))).toBe(vector.envelope);
    expect(crypto.decrypt(vector.envelope)).toEqual(vector.payload);
  });

  it('decrypts every envelope the Python layer wrote into the legacy fixtures', () => {
    const fixtureCrypto = new CredentialEncryption(() => encryptionKeyFromEnv({ CREDENTIAL_ENCRYPTION_KEY: manifestKey }));
    const columns: [string, string, string][] = [
      ['subscription_credentials', 'encrypted_credentials', 'token'],
      ['nevermined_agent_config', 'encrypted_credentials', 'nvm_api_key'],
      ['slack_workspaces', 'bot_token', 'bot_token'],
      ['telegram_bindings', 'bot_token_encrypted', 'bot_token'],
    ];
    let decrypted = 0;
    withDatabase(path.join(LEGACY_DIR, 'trinity-2026-04-01-8068f0db.db'), (db) => {
      for (const [table, column, field] of columns) {
        for (const row of db.prepare(`SELECT ${column} AS v FROM ${table}`).all() as { v: string }[]) {
          if (!row.v.trim().startsWith('{')) continue; // legacy plaintext Slack tokens
          const payload = fixtureCrypto.decrypt(row.v);
          expect(typeof payload[field]).toBe('string');
          decrypted += 1;
        }
      }
    });
    expect(decrypted).toBeGreaterThanOrEqual(columns.length);
  });

  it('round-trips with a random nonce and never repeats a nonce', () => {
    const a = crypto.encrypt({ token: 'sk-ant-abc' });
    const b = crypto.encrypt({ token: 'sk-ant-abc' });
    expect(JSON.parse(a).nonce).not.toBe(JSON.parse(b).nonce);
    expect(crypto.decrypt(a)).toEqual({ token: 'sk-ant-abc' });
  });

  it('rejects a wrong key, a tampered or malformed envelope, without leaking secrets', () => {
    const envelope = crypto.encrypt({ token: 'sk-ant-secret-value' });
    const other = new CredentialEncryption(() => Buffer.alloc(32, 7));
    const tampered = JSON.parse(envelope);
    tampered.ciphertext = Buffer.from(Buffer.from(tampered.ciphertext, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64');
    const failures = [
      () => other.decrypt(envelope),
      () => crypto.decrypt(JSON.stringify(tampered, null, 2)),
      () => crypto.decrypt('not json'),
      () => crypto.decrypt(JSON.stringify({ ...JSON.parse(envelope), version: 2 })),
      () => crypto.decrypt(JSON.stringify({ ...JSON.parse(envelope), algorithm: 'AES-128-CBC' })),
      () => crypto.decrypt(JSON.stringify({ ...JSON.parse(envelope), nonce: '***' })),
    ];
    for (const fail of failures) {
      let error: unknown;
      try {
        fail();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CredentialEncryptionError);
      expect(String((error as Error).message)).not.toMatch(/sk-ant|00112233|ciphertext":/);
    }
  });

  it('validates the key like Python: hex (whitespace ignored), exactly 32 bytes', () => {
    expect(encryptionKeyFromEnv({ CREDENTIAL_ENCRYPTION_KEY: vectors.key_hex.replace(/(..)/g, '$1 ') })).toEqual(key);
    expect(() => encryptionKeyFromEnv({})).toThrow('CREDENTIAL_ENCRYPTION_KEY is not set');
    expect(() => encryptionKeyFromEnv({ CREDENTIAL_ENCRYPTION_KEY: 'zz' })).toThrow('not a hex string');
    expect(() => encryptionKeyFromEnv({ CREDENTIAL_ENCRYPTION_KEY: 'abcd' })).toThrow('must be 32 bytes');
  });
});
