/**
 * Child process of the multi-process SQLite test (test/reliability): opens a DatabaseManager on the
 * URL, prints "ready", waits for the barrier file so that every process starts at the same moment,
 * then fires `calls` concurrent facade calls (inserts, upserts, shared counters, transactions) and
 * prints one JSON line: {"ok": <fulfilled>, "errors": [<error descriptions>]}.
 */
import { existsSync } from 'fs';
import { DatabaseManager } from '../../src/manager';

async function main(): Promise<void> {
  const [url, barrier, tag, callsText] = process.argv.slice(2);
  const calls = Number(callsText);
  const db = await DatabaseManager.open({ url, env: {}, logger: { info: () => undefined, warn: () => undefined } });
  process.stdout.write('ready\n');
  while (!existsSync(barrier)) await new Promise((resolve) => setTimeout(resolve, 5));
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < calls; i++) {
    switch (i % 5) {
      case 0:
        work.push(db.createUser({ username: `${tag}-user-${i}` }));
        break;
      case 1:
        work.push(db.setSetting(`shared-setting-${i % 10}`, `${tag}-${i}`));
        break;
      case 2:
        work.push(db.recordPublicLinkUsage('shared-link', 'visitor@example.com', '10.0.0.1'));
        break;
      case 3:
        work.push(db.getOrCreatePublicUserMemory('shared-agent', 'visitor@example.com').then(() => db.incrementPublicUserMemoryCount('shared-agent', 'visitor@example.com')));
        break;
      default:
        work.push(
          db.transaction(async (tx) => {
            await tx.createUser({ username: `${tag}-tx-user-${i}` });
            await tx.addAgentTag('shared-agent', `${tag}-tag-${i}`);
          }),
        );
    }
  }
  const settled = await Promise.allSettled(work);
  const errors = settled.flatMap((r, i) => (r.status === 'rejected' ? [`call ${i}: ${(r.reason as Error)?.constructor?.name}: ${(r.reason as Error)?.message}`] : []));
  process.stdout.write(JSON.stringify({ ok: settled.length - errors.length, errors }) + '\n');
  await db.close();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
