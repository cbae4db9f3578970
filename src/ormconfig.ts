// The DataSource of the TypeORM CLI, compiled to dist/ormconfig.js and shipped in the package:
//   npx typeorm migration:run|show|revert -d node_modules/trinity-db/dist/ormconfig.js
// (in this repository: npm run migration:run|show|revert). The database comes from DATABASE_URL /
// TRINITY_DB_PATH (default sqlite:///data/trinity.db), as for the application itself.
//
// The CLI uses this exact instance: migration:run and migration:revert go through
// TrinityDataSource, which takes the cross-process migration lock. migration:show only reads, and
// the CLI initialises the DataSource before saying what it will do with it, so for that command
// (named on the command line) the DataSource is opened read-only: no journal-mode change, no
// migrations table created, a missing SQLite file is reported instead of created.
import 'reflect-metadata';
import { createDataSource } from './data-source';

const READ_ONLY_COMMANDS = ['migration:show'];

export default createDataSource(undefined, { readOnly: process.argv.some((arg) => READ_ONLY_COMMANDS.includes(arg)) });
