/**
 * trinity-db: the data layer of the Trinity platform.
 *   import { DatabaseManager } from 'trinity-db';
 * The NestJS module is a separate entry, 'trinity-db/nest' (NestJS is an optional peer dependency).
 */
import 'reflect-metadata';

export { DatabaseManager, type OpenOptions, type HealthReport, type ManagerLogger } from './manager';
export { DatabaseFacade, FACADE_METHODS } from './facade';
export { createDataSource, buildEntitySchemas, TrinityDataSource, MIGRATIONS_TABLE } from './data-source';
export type { CreateDataSourceOptions, MigrationClass } from './data-source';
export { ConfigError, DEFAULT_DATABASE_URL, loadDatabaseConfig, maskUrl, parseDatabaseUrl, resolveDatabaseUrl } from './config';
export type { DatabaseConfig, PostgresConfig, SqliteConfig, PoolConfig, TlsOptions } from './config';
export type { TransactionOptions } from './sql/executor';
export type { PoolFigures } from './sql/postgres';
export { codecFor, type Codec, type Driver } from './dialect';
export { formatTimestamp, parseTimestamp } from './codec/timestamp';
export { MicrosecondDate, writeClock } from './codec/clock';
export { parseJson, pyJsonDumps, stringifyJson } from './codec/python-json';
export { CredentialEncryption, CredentialEncryptionError, encryptionKeyFromEnv } from './codec/credential-encryption';
export * from './errors';
export * from './repository';
export * from './model';
/** Entity classes (one per table), e.g. `entities.User`; the API models above use the Python names. */
export * as entities from './entity';
