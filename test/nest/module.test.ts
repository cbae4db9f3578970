/**
 * TrinityDatabaseModule under @nestjs/testing: providers, injection of repositories, shutdown;
 * forRootAsync with useFactory, useClass and useExisting; isGlobal; start-up retried (logged,
 * bounded) while the database is unavailable, including a database that comes up after the
 * application started.
 */
import Database from 'better-sqlite3';
import { Inject, Injectable, Module, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConfigError, maskUrl } from '../../src/config';
import { DatabaseUnavailableError } from '../../src/errors';
import { DatabaseManager } from '../../src/manager';
import { TrinityDatabaseModule, type TrinityDatabaseModuleOptions, type TrinityDatabaseOptionsFactory } from '../../src/nest';
import { UserRepository } from '../../src/repository';
import { DRIVERS, cleanupTestDatabases, emptyDatabaseUrl } from '../support/databases';
import { startPrivatePostgres, type PrivatePostgres } from '../support/reliability-helpers';

afterAll(cleanupTestDatabases);

/** A Nest logger that keeps the warnings (the retries) and the other lines. */
function capturingLogger() {
  const warnings: string[] = [];
  const lines: string[] = [];
  const logger: LoggerService = {
    log: (message: unknown) => lines.push(String(message)),
    error: (message: unknown) => lines.push(String(message)),
    warn: (message: unknown) => warnings.push(String(message)),
    debug: () => undefined,
    verbose: () => undefined,
  };
  return { logger, warnings, lines };
}

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

/** Options from a class, as @nestjs/typeorm's TypeOrmOptionsFactory; DB_URL comes from ConfigModule. */
@Injectable()
class DatabaseOptions implements TrinityDatabaseOptionsFactory {
  constructor(@Inject(DB_URL) private readonly url: string) {}

  createTrinityDatabaseOptions(): TrinityDatabaseModuleOptions {
    return { url: this.url, env: {} };
  }
}

@Module({})
class OptionsModule {
  static with(url: string) {
    return { module: OptionsModule, imports: [ConfigModule.with(url)], providers: [DatabaseOptions], exports: [DatabaseOptions] };
  }
}

/** A feature module that does not import TrinityDatabaseModule. */
@Module({ providers: [UsersService] })
class FeatureModule {}

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

  it('forRootAsync takes its options from a class (useClass) or an existing provider (useExisting)', async () => {
    for (const how of ['useClass', 'useExisting'] as const) {
      const url = await emptyDatabaseUrl(driver);
      const moduleRef = await Test.createTestingModule({
        imports: [
          how === 'useClass'
            ? TrinityDatabaseModule.forRootAsync({ imports: [ConfigModule.with(url)], useClass: DatabaseOptions })
            : TrinityDatabaseModule.forRootAsync({ imports: [OptionsModule.with(url)], useExisting: DatabaseOptions }),
        ],
      }).compile();
      const db = moduleRef.get(DatabaseManager);
      expect({ how, url: db.dataSource.maskedUrl, pending: (await db.health()).migrations.pending }).toEqual({ how, url: maskUrl(url), pending: [] });
      await moduleRef.close();
      expect(db.dataSource.isInitialized).toBe(false);
    }
  });

  it('is global by default; with isGlobal: false a module that does not import it cannot inject it', async () => {
    const url = await emptyDatabaseUrl(driver);
    const global = await Test.createTestingModule({ imports: [TrinityDatabaseModule.forRoot({ url, env: {} }), FeatureModule] }).compile();
    expect(global.get(UsersService).users).toBe(global.get(DatabaseManager).users);
    await global.close();

    const scoped = Test.createTestingModule({ imports: [TrinityDatabaseModule.forRoot({ url, env: {}, isGlobal: false }), FeatureModule] }).compile();
    await expect(scoped).rejects.toThrow(/can't resolve dependencies of the UsersService/);
    const imported = await Test.createTestingModule({
      imports: [TrinityDatabaseModule.forRootAsync({ isGlobal: false, useFactory: () => ({ url, env: {} }) })],
      providers: [UsersService],
    }).compile();
    expect(imported.get(UsersService).users).toBe(imported.get(DatabaseManager).users);
    await imported.close();
  });
});

describe('TrinityDatabaseModule start-up while the database is unavailable', () => {
  let server: PrivatePostgres;
  let url: string;

  beforeAll(async () => {
    server = await startPrivatePostgres('nest-late-pw');
    const admin = new (await import('pg')).Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE trinity_late');
    await admin.end();
    url = server.url.replace(/\/postgres$/, '/trinity_late');
    await server.stop();
  }, 120_000);
  afterAll(async () => server?.dispose());

  it('PostgreSQL that comes up after the application started: the open is retried, each retry logged, then it works', async () => {
    const { logger, warnings, lines } = capturingLogger();
    const startedLater = new Promise<void>((resolve, reject) => setTimeout(() => server.start().then(resolve, reject), 2500));
    const moduleRef = await Test.createTestingModule({
      imports: [TrinityDatabaseModule.forRoot({ url, env: {}, retryAttempts: 30, retryDelay: 500 })],
      providers: [UsersService],
    })
      .setLogger(logger)
      .compile();
    await startedLater;
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings[0]).toMatch(/^database unavailable \(postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/trinity_late\): connection refused .* \(retrying 1\/30 in 500 ms\)$/);
    expect(warnings.join('\n')).not.toContain('nest-late-pw');
    expect(lines.some((line) => /^connected to postgresql:\/\/postgres:\*\*\*@.* after \d+ retries$/.test(line))).toBe(true);
    const db = moduleRef.get(DatabaseManager);
    expect((await db.health()).migrations.pending).toEqual([]);
    expect(await moduleRef.get(UsersService).users.getUserByUsername('nobody')).toBeNull();
    await moduleRef.close();
  });

  it('gives up after retryAttempts with the database error; errors that are not about availability fail at once', async () => {
    await server.stop();
    const { logger, warnings } = capturingLogger();
    const failed = Test.createTestingModule({ imports: [TrinityDatabaseModule.forRoot({ url, env: {}, retryAttempts: 2, retryDelay: 100 })] })
      .setLogger(logger)
      .compile();
    await expect(failed).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(warnings.map((w) => /\(retrying (\d\/\d) in 100 ms\)$/.exec(w)?.[1])).toEqual(['1/2', '2/2']);

    const bad = capturingLogger();
    const badUrl = Test.createTestingModule({ imports: [TrinityDatabaseModule.forRoot({ url: 'postgress://u:pw@h/db', env: {}, retryAttempts: 5, retryDelay: 100 })] })
      .setLogger(bad.logger)
      .compile();
    await expect(badUrl).rejects.toBeInstanceOf(ConfigError);
    expect(bad.warnings).toEqual([]);
    await server.start();
  });

  it('SQLite locked by another process at start-up: retried until the lock is released', async () => {
    const fileUrl = await emptyDatabaseUrl('sqlite');
    await (await DatabaseManager.open({ url: fileUrl, env: {} })).close();
    const file = fileUrl.replace(/^sqlite:\/\/\//, '');
    const holder = new Database(file);
    holder.exec('BEGIN EXCLUSIVE');
    setTimeout(() => {
      holder.exec('COMMIT');
      holder.close();
    }, 1200);
    const { logger, warnings } = capturingLogger();
    const moduleRef = await Test.createTestingModule({ imports: [TrinityDatabaseModule.forRoot({ url: `${fileUrl}?timeout=0.1`, env: {}, retryAttempts: 50, retryDelay: 200 })] })
      .setLogger(logger)
      .compile();
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toContain('locked by another process');
    expect((await moduleRef.get(DatabaseManager).health()).driver).toBe('sqlite');
    await moduleRef.close();
  });
});
