// Plain TypeScript: open the database named by DATABASE_URL (default: SQLite at data/trinity.db),
// which applies pending migrations and ensures the admin account, then use the facade.
import { DatabaseManager } from 'trinity-db';

async function main(): Promise<void> {
  const db = await DatabaseManager.open();
  try {
    if (!(await db.getUserByUsername('alice'))) await db.createUser({ username: 'alice', email: 'alice@example.com' });
    await db.registerAgentOwner('research-agent', 'alice');
    console.log('agents of alice:', await db.getAgentsByOwner('alice'));
    console.log('alice may use research-agent:', await db.canUserAccessAgent('alice', 'research-agent'));

    // Several calls in one transaction: all or nothing.
    await db.transaction(async (tx) => {
      await tx.setAutonomyEnabled('research-agent', true);
      await tx.addAgentTag('research-agent', 'research');
    });
    console.log('tags:', await db.getAgentTags('research-agent'));

    const health = await db.health();
    console.log(`${health.driver} ${health.url}: ${health.migrations.applied.length} migration(s) applied`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  // One line that says what is wrong (e.g. "database unavailable (postgresql://trinity:***@db/trinity):
  // connection refused ..."); trinity-db's messages never contain a password.
  console.error(`cannot run the example: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
