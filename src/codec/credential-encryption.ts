import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { TrinityDbError } from '../errors';
import { pyJsonDumps } from './python-json';

/**
 * The platform's encrypted-credential envelope (Python `CredentialEncryptionService`), byte-compatible
 * in both directions: AES-256-GCM, 12-byte random nonce, no AAD, ciphertext followed by the 16-byte
 * tag, under the hex key in CREDENTIAL_ENCRYPTION_KEY; stored as the indent-2 JSON envelope
 * {"version": 1, "algorithm": "AES-256-GCM", "nonce": b64, "ciphertext": b64}. The plaintext is a
 * JSON object. Errors never include the key, the plaintext or the ciphertext.
 */
export class CredentialEncryptionError extends TrinityDbError {}

const ALGORITHM = 'AES-256-GCM';
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Reads the key from the environment each time, as the Slack/Telegram modules of the Python layer do. */
export function encryptionKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  const hex = (env.CREDENTIAL_ENCRYPTION_KEY ?? '').replace(/\s+/g, '');
  if (!hex) throw new CredentialEncryptionError('CREDENTIAL_ENCRYPTION_KEY is not set');
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new CredentialEncryptionError('CREDENTIAL_ENCRYPTION_KEY is not a hex string');
  const key = Buffer.from(hex, 'hex');
  if (key.length !== 32) throw new CredentialEncryptionError(`CREDENTIAL_ENCRYPTION_KEY must be 32 bytes (64 hex digits), got ${key.length} bytes`);
  return key;
}


export class CredentialEncryption {
  constructor(private readonly keyProvider: () => Buffer = () => encryptionKeyFromEnv()) {}

  /** Encrypts a JSON object into the stored envelope text. `nonce` is for fixed test vectors only. */
  encrypt(payload: Record<string, unknown>, nonce: Buffer = randomBytes(12)): string {
    const key = this.keyProvider();
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const plaintext = Buffer.from(pyJsonDumps(payload, { ensureAscii: false }), 'utf8');
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return JSON.stringify({ version: 1, algorithm: ALGORITHM, nonce: nonce.toString('base64'), ciphertext: ciphertext.toString('base64') }, null, 2);
  }

  /** Decrypts envelope text into its JSON object; throws CredentialEncryptionError on any defect. */
  decrypt(envelopeText: string): Record<string, unknown> {
    let envelope: { version?: unknown; algorithm?: unknown; nonce?: unknown; ciphertext?: unknown };
    try {
      envelope = JSON.parse(envelopeText);
    } catch {
      throw new CredentialEncryptionError('encrypted credentials are not a JSON envelope');
    }
    if (!envelope || typeof envelope !== 'object') throw new CredentialEncryptionError('encrypted credentials are not a JSON envelope');
    if (envelope.version !== 1) throw new CredentialEncryptionError('unsupported envelope version');
    if (envelope.algorithm !== ALGORITHM) throw new CredentialEncryptionError('unsupported envelope algorithm');
    if (typeof envelope.nonce !== 'string' || typeof envelope.ciphertext !== 'string' || !BASE64.test(envelope.nonce) || !BASE64.test(envelope.ciphertext)) {
      throw new CredentialEncryptionError('envelope nonce or ciphertext missing or not base64');
    }
    const key = this.keyProvider();
    const nonce = Buffer.from(envelope.nonce, 'base64');
    const sealed = Buffer.from(envelope.ciphertext, 'base64');
    if (sealed.length < TAG_BYTES || nonce.length === 0) throw new CredentialEncryptionError('envelope ciphertext is truncated');
    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialEncryptionError('decryption failed (wrong key or tampered envelope)');
    }
    try {
      const value = JSON.parse(plaintext);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new CredentialEncryptionError('decrypted credentials are not a JSON object');
  }
}

/** The Slack and Telegram bot-token envelope over {"bot_token": token}; throws CredentialEncryptionError without a valid key. */
export function encryptBotToken(encryption: CredentialEncryption, token: string): string {
  return encryption.encrypt({ bot_token: token });
}

/**
 * Python `_decrypt_token` of the Slack and Telegram modules: the token, or null when the text cannot be
 * decrypted or holds no string token. Never throws, and logs nothing: the text is a secret.
 */
export function decryptBotToken(encryption: CredentialEncryption, stored: string): string | null {
  try {
    const token = encryption.decrypt(stored).bot_token;
    return typeof token === 'string' ? token : null;
  } catch {
    return null;
  }
}
