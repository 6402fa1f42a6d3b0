// DataSource for the TypeORM CLI (`npm run typeorm -- migration:run`). The app itself builds the same options
// from its validated config; this file only needs the database path.
import { DataSource } from 'typeorm';
import { readDatabasePath } from './src/config/read-database-path';
import { buildDataSourceOptions, prepareDatabaseFile } from './src/persistence/data-source-options';

const databasePath = readDatabasePath(process.env);
prepareDatabaseFile(databasePath);

export default new DataSource(buildDataSourceOptions(databasePath));
