import { Global, Inject, Injectable, Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DatabaseManager, type OpenOptions } from '../manager';
import { REPOSITORY_CLASSES, REPOSITORY_KEYS } from '../repository';

/** Injection token of the options given to forRoot / forRootAsync. */
export const TRINITY_DATABASE_OPTIONS = Symbol('TRINITY_DATABASE_OPTIONS');

export interface TrinityDatabaseModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => OpenOptions | Promise<OpenOptions>;
  inject?: FactoryProvider['inject'];
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

/**
 * NestJS module providing DatabaseManager (opened with DatabaseManager.open: migrations, admin
 * bootstrap) and every repository for injection. Global, so feature modules need not import it.
 */
@Global()
@Module({})
export class TrinityDatabaseModule {
  static forRoot(options: OpenOptions = {}): DynamicModule {
    return TrinityDatabaseModule.build([{ provide: TRINITY_DATABASE_OPTIONS, useValue: options }]);
  }

  static forRootAsync(options: TrinityDatabaseModuleAsyncOptions): DynamicModule {
    return TrinityDatabaseModule.build(
      [{ provide: TRINITY_DATABASE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
      options.imports,
    );
  }

  private static build(optionsProviders: Provider[], imports: ModuleMetadata['imports'] = []): DynamicModule {
    const repositories = repositoryProviders();
    return {
      module: TrinityDatabaseModule,
      imports,
      providers: [
        ...optionsProviders,
        { provide: DatabaseManager, useFactory: (options: OpenOptions) => DatabaseManager.open(options), inject: [TRINITY_DATABASE_OPTIONS] },
        DatabaseManagerCloser,
        ...repositories,
      ],
      exports: [DatabaseManager, ...repositories.map((p) => (p as FactoryProvider).provide)],
    };
  }
}
