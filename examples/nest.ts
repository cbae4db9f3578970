// NestJS: TrinityDatabaseModule opens the DatabaseManager (migrations, admin bootstrap) and closes it
// on shutdown; DatabaseManager and every repository can be injected.
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DatabaseManager, UserRepository } from 'trinity-db';
import { TrinityDatabaseModule } from 'trinity-db/nest';

@Injectable()
class AccountsService {
  constructor(
    @Inject(DatabaseManager) private readonly db: DatabaseManager,
    @Inject(UserRepository) private readonly users: UserRepository,
  ) {}

  async ensureUser(username: string) {
    return (await this.users.getUserByUsername(username)) ?? this.db.createUser({ username });
  }
}

@Module({
  // While the database is unreachable at start-up, try 3 more times, 2 s apart (each try is logged).
  imports: [TrinityDatabaseModule.forRoot({ url: process.env.DATABASE_URL, retryAttempts: 3, retryDelay: 2000 })],
  providers: [AccountsService],
})
class AppModule {}

async function main(): Promise<void> {
  // Warnings (the retries) as plain lines; a start-up error is thrown to the catch below instead of aborting.
  const logger = { log() {}, error() {}, warn: (message: unknown) => console.warn(`warning: ${String(message)}`) };
  const app = await NestFactory.createApplicationContext(AppModule, { logger, abortOnError: false });
  const user = await app.get(AccountsService).ensureUser('bob');
  console.log('user:', user.username, user.id);
  await app.close(); // closes the database
}

main().catch((error: unknown) => {
  // One line that says what is wrong (e.g. "database unavailable (postgresql://trinity:***@db/trinity):
  // connection refused ..."); trinity-db's messages never contain a password.
  console.error(`cannot run the example: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
