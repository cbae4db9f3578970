/** TrinityDatabaseModule under @nestjs/testing: providers, injection of repositories, shutdown. */
import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DatabaseManager } from '../../src/manager';
import { TrinityDatabaseModule } from '../../src/nest';
import { UserRepository } from '../../src/repository';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl } from '../support/databases';

afterAll(cleanupTestDatabases);

@Injectable()
class UsersService {
  constructor(@Inject(UserRepository) readonly users: UserRepository) {}
}

const DB_URL = Symbol('DB_URL');

@Module({})
class ConfigModule {
  static with(url: string) {
    return { module: ConfigModule, providers: [{ provide: DB_URL, useValue: url }], exports: [DB_URL] };
  }
}

describe.each(DRIVERS)('TrinityDatabaseModule on %s', (driver) => {
  it('forRoot provides an opened DatabaseManager and its repositories, and closes it on shutdown', async () => {
    const url = await emptyDatabaseUrl(driver);
    const moduleRef = await Test.createTestingModule({
      imports: [TrinityDatabaseModule.forRoot({ url, env: { ADMIN_PASSWORD: 'Nest-Passw0rd!' } })],
      providers: [UsersService],
    }).compile();
    const app = await moduleRef.init(); // an application context: no HTTP platform needed
    const db = app.get(DatabaseManager);
    expect((await db.health()).migrations.pending).toEqual([]);
    const service = app.get(UsersService);
    expect(service.users).toBe(db.users);
    expect(await service.users.getUserByUsername('admin')).toMatchObject({ role: 'admin' });
    await app.close();
    expect(db.dataSource.isInitialized).toBe(false);
  });

  it('forRootAsync takes its options from injected configuration', async () => {
    const url = await emptyDatabaseUrl(driver);
    const moduleRef = await Test.createTestingModule({
      imports: [
        TrinityDatabaseModule.forRootAsync({
          imports: [ConfigModule.with(url)],
          inject: [DB_URL],
          useFactory: (dbUrl: string) => ({ url: dbUrl, env: {} }),
        }),
      ],
    }).compile();
    const app = await moduleRef.init(); // an application context: no HTTP platform needed
    const db = app.get(DatabaseManager);
    expect(db.dataSource.driverName).toBe(driver);
    await app.close();
    expect(db.dataSource.isInitialized).toBe(false);
  });
});
