// DataSource for the TypeORM CLI (`npm run typeorm -- migration:run`). The app itself builds the same options
// from its validated config; this file only needs DATABASE_URL (PostgreSQL) or DATABASE_PATH (SQLite).
import { readDatabasePath, readDatabaseUrl } from './src/config/read-database-path';
import { buildDataSourceOptions, createDataSource, prepareDatabaseFile } from './src/persistence/data-source-options';

const target = { databasePath: readDatabasePath(process.env), databaseUrl: readDatabaseUrl(process.env) };
prepareDatabaseFile(target);

export default createDataSource(buildDataSourceOptions(target));
