/**
 * Hostile input for every string parameter of the facade (test/reliability/hostile-input.test.ts):
 * each call passes one hostile value in one string parameter and plausible values elsewhere (the
 * parameter names of test/fixtures/reference/methods.json, as test/manager/facade.test.ts does).
 * A call may succeed or throw a TrinityDbError; anything else (a driver or SQL error, a TypeError, a
 * non-Error, a hang) is a failure. Payloads are sampled per parameter (rotating through each class)
 * instead of the full cross product, so a run stays in seconds.
 */
import { TrinityDbError } from '../../src/errors';
import type { DatabaseManager } from '../../src/manager';
import { describeError, facadeMethod, plausibleArgument, stringParameters } from './reliability-helpers';

export interface Payload {
  label: string;
  value: unknown;
}

export const INJECTION: Payload[] = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "sentinel-user' --",
  "sentinel-agent' OR agent_name LIKE '%",
  '" OR ""="',
  '%',
  '_',
  '\\',
  '1; DELETE FROM system_settings',
  "') ON CONFLICT DO NOTHING; UPDATE users SET role = 'admin'; --",
  '$1',
  '?',
  "'||(SELECT value FROM system_settings LIMIT 1)||'",
  '*/ SELECT 1 /*',
].map((value, i) => ({ label: `injection#${i}`, value }));

/** 1 MiB of text: ASCII, and multi-byte characters (3 bytes each in UTF-8). */
export const BIG: Payload[] = [
  { label: '1MiB-ascii', value: "x'".repeat(512 * 1024) },
  { label: '1MiB-multibyte', value: '€'.repeat(1024 * 1024) },
];

export const NUL: Payload[] = [
  { label: 'nul-inside', value: 'a\u0000b' },
  { label: 'nul-only', value: '\u0000' },
];

export const SURROGATES: Payload[] = [
  { label: 'lone-high-surrogate', value: 'a\ud800b' },
  { label: 'lone-low-surrogate', value: '\udfff' },
  { label: 'reversed-pair', value: '\udc00\ud800' },
];

/** Values an untyped JavaScript caller may pass where a string is expected (null is a legitimate value of many parameters). */
export const WRONG_TYPES: Payload[] = [
  { label: 'number', value: 42 },
  { label: 'boolean', value: true },
  { label: 'object', value: { toString: () => 'sentinel-user' } },
  { label: 'array', value: ['sentinel-agent'] },
  { label: 'date', value: new Date(0) },
  { label: 'bigint', value: 10n },
  { label: 'NaN', value: Number.NaN },
];

export interface HostileFailure {
  call: string;
  payload: string;
  outcome: string;
}

const CALL_TIMEOUT_MS = 15_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Calls every facade method once per sampled payload in each string parameter. `perParam` payloads
 * of `payloads` go to each parameter (rotating, so all payloads are used across parameters).
 * Returns the failures and the number of calls made.
 */
export async function hostileScan(db: DatabaseManager, payloads: Payload[], perParam: number): Promise<{ failures: HostileFailure[]; calls: number }> {
  const failures: HostileFailure[] = [];
  let calls = 0;
  let rotation = 0;
  for (const { method, index, name } of stringParameters()) {
    const fn = facadeMethod(db, method.ts);
    const count = Math.min(perParam, payloads.length);
    for (let k = 0; k < count; k++) {
      const payload = payloads[(rotation + k) % payloads.length];
      const args = method.params.map((p, i) => (i === index ? payload.value : plausibleArgument(p)));
      const what = `${method.ts}(${method.params.map((p, i) => (i === index ? `${p}=<${payload.label}>` : p)).join(', ')})`;
      calls++;
      try {
        await withTimeout(Promise.resolve().then(() => fn(...args)), what);
      } catch (error) {
        if (!(error instanceof TrinityDbError)) failures.push({ call: what, payload: payload.label, outcome: describeError(error) });
      }
    }
    rotation += count;
    void name;
  }
  return { failures, calls };
}

/** Failures grouped as "method(param=<payload>): outcome" lines, for a readable assertion diff. */
export function failureLines(failures: HostileFailure[]): string[] {
  return failures.map((f) => `${f.call}: ${f.outcome}`);
}
