import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MigrationError } from '../../errors';
import { BASELINE_TABLES } from './baseline-schema';
import { createOrAdoptSchema } from './legacy-adoption';

/** Creates the whole schema in the legacy physical layout, or adopts an existing legacy trinity.db. */
export class Baseline1795608000000 implements MigrationInterface {
  name = 'Baseline1795608000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const report = await createOrAdoptSchema(queryRunner, BASELINE_TABLES);
    const logger = queryRunner.connection.logger;
    if (report.fresh) {
      logger.logMigration(`baseline: created ${report.created.length} tables on an empty database`);
      return;
    }
    logger.logMigration(
      `baseline: adopted a legacy database (created ${report.created.length} tables, rebuilt ${report.rebuilt.length}, ` +
        `created ${report.indexesCreated.length} indexes)`,
    );
    for (const table of report.unknownTablesKept) logger.log('warn', `baseline: kept table ${table}, which this release does not define`);
    for (const column of report.unknownColumnsKept) logger.log('warn', `baseline: kept column ${column}, which this release does not define`);
    for (const object of report.unknownObjectsKept) logger.log('warn', `baseline: kept ${object}, which this release does not define`);
    for (const step of report.dataSteps) logger.logMigration(`baseline: ${step}`);
  }

  async down(): Promise<void> {
    throw new MigrationError('the baseline migration cannot be reverted: it would drop every table; restore a backup instead');
  }
}
