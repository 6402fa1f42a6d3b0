import 'reflect-metadata';
import { readDatabasePath } from '../config/read-database-path';
import { readEnvFile } from '../config/env-file';
import { runPinsCommand } from './pins-command';

// `npm run pins [-- --clear --confirm]`: reads DATABASE_PATH and LEASE_TTL_SECONDS like the service (.env, then the environment).
const env = { ...readEnvFile('.env'), ...process.env };
const ttl = Number(env.LEASE_TTL_SECONDS?.trim() || 30);

runPinsCommand(
  process.argv.slice(2),
  { databasePath: readDatabasePath(env), leaseTtlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : 30, now: new Date() },
  (line) => process.stdout.write(`${line}\n`),
).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm run pins failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
