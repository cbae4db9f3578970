// Behaviour (not speed) of BaseRepository's raw-SQL fast path (issue #9): outside a transaction raw
// SQL runs straight on the driver; inside one it must use the transaction's QueryRunner; errors are
// still translated; query logging and query subscribers still see the queries.
import type { Logger, QueryRunner } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { UniqueConstraintError } from '../../src/errors';
import { AgentRepository } from '../../src/repository/agent.repository';
import { ChatRepository } from '../../src/repository/chat.repository';
import { UserRepository } from '../../src/repository/user.repository';
import { DRIVERS, cleanupTestDatabases, openTestDataSource } from '../support/databases';

afterAll(cleanupTestDatabases);

function recordingLogger(): Logger & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    logQuery: (query: string) => void queries.push(query),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
}

describe.each(DRIVERS)('repository raw SQL fast path on %s', (driver) => {
  it('returns the same rows and counts as before, and translates constraint errors', async () => {
    const ds = await openTestDataSource(driver);
    const users = new UserRepository(ds.manager);
    const alice = await users.createUser({ username: 'alice', email: 'alice@example.com' });
    expect(await users.getUserByUsername('alice')).toEqual(alice);
    expect(await users.updateUserPassword('alice', 'hash')).toBe(true);
    expect(await users.updateUserPassword('nobody', 'hash')).toBe(false);
    const error = await users.createUser({ username: 'alice' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueConstraintError);
    expect(String((error as Error).message)).toContain('UNIQUE constraint');
    // A statement error that is not a constraint violation stays TypeORM's QueryFailedError.
    const bad = await (users as unknown as { select(sql: string): Promise<unknown> }).select('SELECT no_such_column FROM users').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(QueryFailedError);
  });

  it('uses the transaction QueryRunner inside a transaction: a rollback undoes the writes', async () => {
    const ds = await openTestDataSource(driver);
    const outside = new UserRepository(ds.manager);
    await expect(
      ds.transaction(async (tx) => {
        const users = new UserRepository(tx);
        await users.createUser({ username: 'bob' });
        // Visible inside the transaction (same connection)...
        expect(await users.getUserByUsername('bob')).not.toBeNull();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // ...and gone after the rollback.
    expect(await outside.getUserByUsername('bob')).toBeNull();
  });

  it('runs every raw statement of a transactional repository on that transaction', async () => {
    const ds = await openTestDataSource(driver);
    await new UserRepository(ds.manager).createUser({ username: 'carol', email: 'carol@example.com' });
    const seen: (QueryRunner | undefined)[] = [];
    await ds.transaction(async (tx) => {
      const runner = tx.queryRunner!;
      const query = runner.query.bind(runner);
      runner.query = ((sql: string, params?: unknown[], structured?: boolean) => {
        seen.push(runner);
        return query(sql, params, structured as true);
      }) as QueryRunner['query'];
      const agents = new AgentRepository(tx);
      expect(await agents.registerAgentOwner('agent-a', 'carol')).toBe(true);
      expect(await agents.canUserAccessAgent('carol', 'agent-a')).toBe(true);
    });
    // The user lookup, the ownership insert and the access check's queries all went through it.
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });

  it('still reports queries to the logger when query logging is on', async () => {
    const logger = recordingLogger();
    const ds = await openTestDataSource(driver, { logging: ['query'], logger });
    logger.queries.length = 0;
    await new UserRepository(ds.manager).getUserByUsername('dave');
    expect(logger.queries.some((q) => /FROM users WHERE username = /.test(q))).toBe(true);
  });

  it('leaves queries to TypeORM when the DataSource has query subscribers', async () => {
    const ds = await openTestDataSource(driver);
    const queries: string[] = [];
    ds.subscribers.push({ beforeQuery: (event: { query: string }) => void queries.push(event.query) } as never);
    await new UserRepository(ds.manager).getUserByUsername('erin');
    expect(queries.some((q) => /FROM users WHERE username = /.test(q))).toBe(true);
  });

  it('returns the appended chat message exactly as it reads back', async () => {
    const ds = await openTestDataSource(driver);
    const chats = new ChatRepository(ds.manager, { clock: () => new Date('2026-03-01T10:00:00.123Z') });
    const session = await chats.getOrCreateChatSession('agent-a', 7, 'frank@example.com');
    const plain = await chats.addChatMessage(session.id, 'agent-a', 7, 'frank@example.com', 'user', 'hello', { cost: 0.25, contextUsed: 10, executionTimeMs: 12 });
    const withTools = await chats.addChatMessage(session.id, 'agent-a', 7, 'frank@example.com', 'assistant', 'done', { toolCalls: '[{"b":1,"a":[2]}]', outputTokens: 3 });
    const stored = await chats.getChatMessages(session.id);
    // Same timestamp: the order between the two follows their random ids.
    expect(stored).toHaveLength(2);
    expect(stored).toEqual(expect.arrayContaining([plain, withTools]));
    expect(plain).toMatchObject({ cost: 0.25, context_used: 10, execution_time_ms: 12, source: 'text', timestamp: new Date('2026-03-01T10:00:00.123Z'), tool_calls: null });
    expect((await chats.getChatSession(session.id))!.message_count).toBe(2);
  });
});
