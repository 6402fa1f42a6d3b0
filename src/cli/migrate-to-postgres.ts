import 'reflect-metadata';
import { readDatabasePath, readDatabaseUrl } from '../config/read-database-path';
import { readEnvFile } from '../config/env-file';
import { runMigrateToPostgresCommand } from './migrate-to-postgres-command';

// `npm run migrate-to-postgres [-- --from <sqlite file>] [--to <postgres url>]`: defaults DATABASE_PATH and
// DATABASE_URL, read like the service (.env, then the environment).
const env = { ...readEnvFile('.env'), ...process.env };
const ttl = Number(env.LEASE_TTL_SECONDS?.trim() || 30);

runMigrateToPostgresCommand(
  process.argv.slice(2),
  {
    databasePath: readDatabasePath(env),
    databaseUrl: readDatabaseUrl(env),
    leaseTtlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : 30,
    now: new Date(),
  },
  (line) => process.stdout.write(`${line}\n`),
).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm run migrate-to-postgres failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
