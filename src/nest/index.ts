export {
  TrinityDatabaseModule,
  TRINITY_DATABASE_OPTIONS,
  openWithRetry,
  type TrinityDatabaseModuleAsyncOptions,
  type TrinityDatabaseModuleOptions,
  type TrinityDatabaseOptionsFactory,
} from './trinity-database.module';
