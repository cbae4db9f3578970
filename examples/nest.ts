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
  imports: [TrinityDatabaseModule.forRoot({ url: process.env.DATABASE_URL })],
  providers: [AccountsService],
})
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const user = await app.get(AccountsService).ensureUser('bob');
  console.log('user:', user.username, user.id);
  await app.close(); // closes the database
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
