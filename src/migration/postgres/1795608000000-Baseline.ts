import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MigrationError } from '../../errors';
import { BASELINE_TABLES } from './baseline-schema';

/** Creates the whole schema with native PostgreSQL types (boolean, timestamptz, jsonb, serial ids). */
export class Baseline1795608000000 implements MigrationInterface {
  name = 'Baseline1795608000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of BASELINE_TABLES) {
      await queryRunner.query(table.create);
      for (const index of table.indexes) await queryRunner.query(index);
    }
  }

  async down(): Promise<void> {
    throw new MigrationError('the baseline migration cannot be reverted: it would drop every table; restore a backup instead');
  }
}
