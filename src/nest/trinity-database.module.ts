import { Inject, Injectable, Logger, Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import { DatabaseUnavailableError } from '../errors';
import { DatabaseManager, type OpenOptions } from '../manager';
import { REPOSITORY_CLASSES, REPOSITORY_KEYS } from '../repository';

/** Injection token of the options given to forRoot / forRootAsync. */
export const TRINITY_DATABASE_OPTIONS = Symbol('TRINITY_DATABASE_OPTIONS');

/** DatabaseManager.open options, plus how long start-up waits for a database that is not reachable yet. */
export interface TrinityDatabaseModuleOptions extends OpenOptions {
  /**
   * How many more times to open the database when it is unavailable at start-up (PostgreSQL not
   * accepting connections yet, a SQLite file locked by another process); default 9, as
   * @nestjs/typeorm. Other errors (a bad URL, a failing migration) fail at once.
   */
  retryAttempts?: number;
  /** Milliseconds between attempts (default 3000). */
  retryDelay?: number;
}

/** A class that supplies the options (forRootAsync `useClass` / `useExisting`). */
export interface TrinityDatabaseOptionsFactory {
  createTrinityDatabaseOptions(): TrinityDatabaseModuleOptions | Promise<TrinityDatabaseModuleOptions>;
}

interface GlobalOption {
  /** Register the module globally, so feature modules need not import it (default true, as TypeOrmModule). */
  isGlobal?: boolean;
}

export interface TrinityDatabaseModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'>, GlobalOption {
  useFactory?: (...args: any[]) => TrinityDatabaseModuleOptions | Promise<TrinityDatabaseModuleOptions>;
  inject?: FactoryProvider['inject'];
  /** Instantiated by the module, then asked for the options. */
  useClass?: Type<TrinityDatabaseOptionsFactory>;
  /** An existing provider (from `imports`) asked for the options. */
  useExisting?: Type<TrinityDatabaseOptionsFactory>;
}

const DEFAULT_RETRY_ATTEMPTS = 9;
const DEFAULT_RETRY_DELAY_MS = 3000;

/**
 * DatabaseManager.open, tried again while the database is unavailable: up to `retryAttempts` more
 * times, `retryDelay` ms apart, each failure logged (the message names the database, password
 * masked). The last error is thrown when every attempt failed.
 */
export async function openWithRetry(options: TrinityDatabaseModuleOptions, logger: Pick<Logger, 'warn' | 'log'> = new Logger('TrinityDatabaseModule')): Promise<DatabaseManager> {
  const { retryAttempts = DEFAULT_RETRY_ATTEMPTS, retryDelay = DEFAULT_RETRY_DELAY_MS, ...openOptions } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      const db = await DatabaseManager.open(openOptions);
      if (attempt > 0) logger.log(`connected to ${db.dataSource.maskedUrl} after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}`);
      return db;
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError) || attempt >= retryAttempts) throw error;
      logger.warn(`${error.message} (retrying ${attempt + 1}/${retryAttempts} in ${retryDelay} ms)`);
      await new Promise((resolve) => setTimeout(resolve, retryDelay));
    }
  }
}

/** Closes the DatabaseManager when the application shuts down (enableShutdownHooks or app.close()). */
@Injectable()
class DatabaseManagerCloser implements OnApplicationShutdown {
  constructor(@Inject(DatabaseManager) private readonly db: DatabaseManager) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

/** The repositories of the opened manager, injectable by class (e.g. `constructor(users: UserRepository)`). */
function repositoryProviders(): Provider[] {
  return REPOSITORY_KEYS.map((key) => ({
    provide: REPOSITORY_CLASSES[key],
    useFactory: (db: DatabaseManager) => db[key],
    inject: [DatabaseManager],
  }));
}

function optionsProviders(options: TrinityDatabaseModuleAsyncOptions): Provider[] {
  if (options.useFactory) return [{ provide: TRINITY_DATABASE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  const factory = options.useClass ?? options.useExisting;
  if (!factory) throw new Error('TrinityDatabaseModule.forRootAsync needs useFactory, useClass or useExisting');
  const fromFactory: Provider = {
    provide: TRINITY_DATABASE_OPTIONS,
    useFactory: (instance: TrinityDatabaseOptionsFactory) => instance.createTrinityDatabaseOptions(),
    inject: [factory],
  };
  return options.useClass ? [{ provide: options.useClass, useClass: options.useClass }, fromFactory] : [fromFactory];
}

/**
 * NestJS module providing DatabaseManager (opened with DatabaseManager.open: migrations, admin
 * bootstrap, retried while the database is unavailable) and every repository for injection.
 * Global unless `isGlobal: false`.
 */
@Module({})
export class TrinityDatabaseModule {
  static forRoot(options: TrinityDatabaseModuleOptions & GlobalOption = {}): DynamicModule {
    const { isGlobal, ...open } = options;
    return TrinityDatabaseModule.build([{ provide: TRINITY_DATABASE_OPTIONS, useValue: open }], [], isGlobal);
  }

  static forRootAsync(options: TrinityDatabaseModuleAsyncOptions): DynamicModule {
    return TrinityDatabaseModule.build(optionsProviders(options), options.imports, options.isGlobal);
  }

  private static build(optionsProviders: Provider[], imports: ModuleMetadata['imports'] = [], isGlobal = true): DynamicModule {
    const repositories = repositoryProviders();
    return {
      module: TrinityDatabaseModule,
      global: isGlobal,
      imports,
      providers: [
        ...optionsProviders,
        {
          provide: DatabaseManager,
          useFactory: (options: TrinityDatabaseModuleOptions & GlobalOption) => {
            const { isGlobal: _ignored, ...open } = options;
            return openWithRetry(open);
          },
          inject: [TRINITY_DATABASE_OPTIONS],
        },
        DatabaseManagerCloser,
        ...repositories,
      ],
      exports: [DatabaseManager, ...repositories.map((p) => (p as FactoryProvider).provide)],
    };
  }
}
