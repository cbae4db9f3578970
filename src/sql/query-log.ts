import type { DataSourceOptions, Logger } from 'typeorm';
import type { TrinityDbError } from '../errors';

/**
 * Statement logging for the executors, through the DataSource's TypeORM logger, only when query
 * logging is switched on. Parameters are never passed on: they may hold secrets (tokens, hashes).
 */
export interface QueryLog {
  query(sql: string): void;
  error(error: TrinityDbError, sql: string): void;
}

/** null when the options log no queries (the default): the executors then skip logging entirely. */
export function queryLogFor(options: DataSourceOptions, logger: Logger): QueryLog | null {
  const logging = options.logging;
  const queries = logging === true || logging === 'all' || (Array.isArray(logging) && logging.includes('query'));
  const errors = queries || (Array.isArray(logging) && logging.includes('error'));
  if (!queries && !errors) return null;
  return {
    query: (sql) => {
      if (queries) logger.logQuery(sql);
    },
    error: (error, sql) => logger.logQueryError(error.message, sql),
  };
}
