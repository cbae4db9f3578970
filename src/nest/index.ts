export { TrinityDatabaseModule, TRINITY_DATABASE_OPTIONS, type TrinityDatabaseModuleAsyncOptions } from './trinity-database.module';
