// Entry point for the TypeORM CLI (`npm run migration:run|show|revert`, see package.json).
// The CLI uses this exact instance: migration:run calls TrinityDataSource.runMigrations, which
// takes the cross-process migration lock. The database comes from DATABASE_URL / TRINITY_DB_PATH
// (default sqlite:///data/trinity.db), as for the application itself.
import 'reflect-metadata';
import { createDataSource } from './src/data-source';

export default createDataSource();
