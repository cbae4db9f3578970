/**
 * Create/update methods whose stored text must come back exactly (test/reliability/hostile-input.test.ts):
 * each writes `text` through the facade and reads it back through the facade.
 */
import fc from 'fast-check';
import { TrinityDbError } from '../../src/errors';
import type { DatabaseManager } from '../../src/manager';
import { describeError } from './reliability-helpers';
import type { Payload } from './reliability-hostile';

export type RoundTripOutcome = { ok: true; stored: unknown; expected: unknown } | { ok: false; error: unknown };

export interface RoundTrip {
  name: string;
  run(db: DatabaseManager, text: string): Promise<RoundTripOutcome>;
}

let counter = 0;

async function attempt(write: () => Promise<unknown>, read: () => Promise<unknown>, expected: unknown): Promise<RoundTripOutcome> {
  try {
    await write();
  } catch (error) {
    return { ok: false, error };
  }
  return { ok: true, stored: await read(), expected };
}

export const ROUND_TRIPS: RoundTrip[] = [
  {
    name: 'setSetting value',
    run: (db, text) => {
      const key = `rt-value-${counter++}`;
      return attempt(() => db.setSetting(key, text), () => db.getSettingValue(key), text);
    },
  },
  {
    name: 'setSetting key',
    run: (db, text) => {
      const value = `rt-key-${counter++}`;
      return attempt(() => db.setSetting(text, value), () => db.getSettingValue(text), value);
    },
  },
  {
    name: 'createUser username',
    run: (db, text) => attempt(() => db.createUser({ username: text }), async () => (await db.getUserByUsername(text))?.username, text),
  },
  {
    name: 'updatePublicUserMemory memory text',
    run: async (db, text) => {
      const email = `rt-${counter++}@example.com`;
      await db.getOrCreatePublicUserMemory('rt-agent', email);
      return attempt(() => db.updatePublicUserMemory('rt-agent', email, text), async () => (await db.getOrCreatePublicUserMemory('rt-agent', email)).memory_text, text);
    },
  },
  {
    name: 'addPublicChatMessage content',
    run: async (db, text) => {
      const session = await db.getOrCreatePublicChatSession('rt-link', `rt-visitor-${counter++}`, 'anonymous');
      return attempt(() => db.addPublicChatMessage(session.id, 'user', text), async () => (await db.getPublicChatMessages(session.id, 5)).map((m) => m.content)[0], text);
    },
  },
  {
    name: 'addChatMessage content',
    run: async (db, text) => {
      const user = (await db.getUserByUsername('rt-chat-user')) ?? (await db.createUser({ username: 'rt-chat-user' }));
      const session = await db.createNewChatSession(`rt-agent-${counter++}`, user.id, 'rt@example.com');
      return attempt(
        () => db.addChatMessage(session.id, session.agent_name, user.id, 'rt@example.com', 'user', text),
        async () => (await db.getChatMessages(session.id, 5)).map((m) => m.content)[0],
        text,
      );
    },
  },
];

/** For one value: the round-trips that neither stored it exactly nor refused it with a TrinityDbError. */
export async function roundTripFailures(db: DatabaseManager, text: string, label: string): Promise<string[]> {
  const failures: string[] = [];
  for (const roundTrip of ROUND_TRIPS) {
    let outcome: RoundTripOutcome;
    try {
      outcome = await roundTrip.run(db, text);
    } catch (error) {
      failures.push(`${roundTrip.name} <${label}>: read-back failed: ${describeError(error)}`);
      continue;
    }
    if (outcome.ok && outcome.stored !== outcome.expected) {
      failures.push(`${roundTrip.name} <${label}>: stored ${preview(outcome.stored)} instead of ${preview(outcome.expected)}`);
    }
    if (!outcome.ok && !(outcome.error instanceof TrinityDbError)) failures.push(`${roundTrip.name} <${label}>: ${describeError(outcome.error)}`);
  }
  return failures;
}

/** roundTripFailures of every payload, in order. */
export async function payloadRoundTripFailures(db: DatabaseManager, payloads: Payload[]): Promise<string[]> {
  const failures: string[] = [];
  for (const payload of payloads) failures.push(...(await roundTripFailures(db, payload.value as string, payload.label)));
  return failures;
}

function preview(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  const text = value.length > 24 ? `${value.slice(0, 24)}… (${value.length} chars)` : value;
  return JSON.stringify(text);
}

const WELL_FORMED = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

/** Arbitrary well-formed text without NUL (the inputs every backend can store). */
export function safeText(): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000') && WELL_FORMED(s));
}

/** Arbitrary text including NUL and lone surrogates (what an untyped caller can pass). */
export function anyText(): fc.Arbitrary<string> {
  return fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('a\u0000b', '\ud800', 'x\udfffy'));
}
