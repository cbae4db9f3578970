import type { MigrationInterface } from 'typeorm';
import { Baseline1795608000000 as PostgresBaseline } from './postgres/1795608000000-Baseline';
import { Baseline1795608000000 as SqliteBaseline } from './sqlite/1795608000000-Baseline';

type MigrationClass = new () => MigrationInterface;

/** The two migration tracks: same names, same order (test/migration/fresh.test.ts checks it). */
export const MIGRATIONS: Record<'sqlite' | 'postgres', MigrationClass[]> = {
  sqlite: [SqliteBaseline],
  postgres: [PostgresBaseline],
};
