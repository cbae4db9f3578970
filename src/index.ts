/** Public entry of trinity-db. */
import 'reflect-metadata';

export { createDataSource, buildEntitySchemas, TrinityDataSource, MIGRATIONS_TABLE } from './data-source';
export type { CreateDataSourceOptions, MigrationClass } from './data-source';
export {
  ConfigError,
  DEFAULT_DATABASE_URL,
  loadDatabaseConfig,
  maskUrl,
  parseDatabaseUrl,
  resolveDatabaseUrl,
} from './config';
export type { DatabaseConfig, PostgresConfig, SqliteConfig, PoolConfig } from './config';
export { codecFor, type Codec, type Driver } from './dialect';
export { formatTimestamp, parseTimestamp } from './codec/timestamp';
export { pyJsonDumps } from './codec/python-json';
export * from './errors';
export * from './entity';
