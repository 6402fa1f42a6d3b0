import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions, ObjectLiteral } from 'typeorm';
import type { Driver } from 'typeorm/driver/Driver';
import type { DatabaseTarget } from '../config/database-target';
import { ENTITIES } from './entities';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { Loyalty1764100000000 } from './migrations/1764100000000-loyalty';
import { DerivedMovementTotals1764200000000 } from './migrations/1764200000000-derived-movement-totals';
import { WriterLease1765100000000 } from './migrations/1765100000000-writer-lease';
import { WriteSettlement1765200000000 } from './migrations/1765200000000-write-settlement';
import { ConflictClaim1765200000001 } from './migrations/1765200000001-conflict-claim';
import { ExactlyOnce1765300000000 } from './migrations/1765300000000-exactly-once';
import { MultiInstance1766000000000 } from './migrations/1766000000000-multi-instance';
import { AuditTrail1766100000000 } from './migrations/1766100000000-audit-trail';
import { AudiencesProducts1766300000000 } from './migrations/1766300000000-audiences-products';
import { Alerts1766500000000 } from './migrations/1766500000000-alerts';
import { LedgerLookupIndexes1766600000000 } from './migrations/1766600000000-ledger-lookup-indexes';
import { ContactIndex1766700000000 } from './migrations/1766700000000-contact-index';
import { PerUserLookupIndexes1766800000000 } from './migrations/1766800000000-per-user-lookup-indexes';
import { ListedWalletBalances1766900000000 } from './migrations/1766900000000-listed-wallet-balances';

export const MIGRATIONS = [
  InitialSchema1764000000000,
  Loyalty1764100000000,
  DerivedMovementTotals1764200000000,
  WriterLease1765100000000,
  WriteSettlement1765200000000,
  ConflictClaim1765200000001,
  ExactlyOnce1765300000000,
  MultiInstance1766000000000,
  AuditTrail1766100000000,
  AudiencesProducts1766300000000,
  Alerts1766500000000,
  LedgerLookupIndexes1766600000000,
  ContactIndex1766700000000,
  PerUserLookupIndexes1766800000000,
  ListedWalletBalances1766900000000,
];

/** The database holds customers' contact links: create it readable by its owner only. */
export function prepareDatabaseFile(target: string | DatabaseTarget): void {
  if (typeof target !== 'string' && target.databaseUrl) return;
  const path = typeof target === 'string' ? target : target.databasePath;
  if (path === ':memory:') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

/** Connections per instance on Postgres: jobs, per-user locks (one connection each while held) and the admin API. */
export const POSTGRES_POOL_SIZE = 20;

/**
 * SQLite at a path (the embedded default), or PostgreSQL when a DATABASE_URL is given. The same entities and the same
 * migration history for both; the migrations write per-dialect DDL where the two differ.
 */
export function buildDataSourceOptions(target: string | DatabaseTarget): DataSourceOptions {
  const { databasePath, databaseUrl } = typeof target === 'string' ? { databasePath: target, databaseUrl: null } : target;
  if (databaseUrl) {
    return {
      type: 'postgres',
      url: databaseUrl,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      // Run by openDataSource under an advisory lock: instances starting together must not both migrate.
      migrationsRun: false,
      migrationsTransactionMode: 'all',
      synchronize: false,
      logging: false,
      extra: { max: POSTGRES_POOL_SIZE, connectionTimeoutMillis: 10_000 },
    };
  }
  return {
    // better-sqlite3: synchronous calls with TypeORM's prepared-statement cache. The asynchronous sqlite3 driver
    // spent most of the seed's CPU preparing each statement anew and passing it to its thread pool (README "Performance").
    type: 'better-sqlite3',
    database: databasePath,
    statementCacheSize: 500,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
    // WAL lets readers (admin API) go on while a job writes; busy_timeout waits out short locks.
    enableWAL: true,
    timeout: 5000,
  };
}

/**
 * A DataSource over these options. Entities declare instants as `datetime` (SQLite's name); on Postgres the columns are
 * `timestamptz` (see the migrations) and the driver, which already converts `datetime` values like timestamps, is told
 * to accept the name.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  const source = new DataSource(options);
  if (options.type === 'better-sqlite3') bindIntegerParameters(source.driver);
  if (options.type === 'postgres' && !source.driver.supportedDataTypes.includes('datetime')) {
    source.driver.supportedDataTypes.push('datetime');
  }
  return source;
}

/**
 * TypeORM's SQLite drivers write a number parameter into the SQL text, so every update by id was a new statement:
 * compiled once, never reused, and pushing the statements that do repeat out of the prepared-statement cache (README
 * "Performance"). Integers are bound instead, as 64-bit integers: the value SQLite stores and compares is the same.
 */
function bindIntegerParameters(driver: Driver): void {
  const escape = driver.escapeQueryWithParameters.bind(driver);
  driver.escapeQueryWithParameters = (sql, parameters, nativeParameters) => {
    if (!parameters) return escape(sql, parameters, nativeParameters);
    const bound: ObjectLiteral = {};
    for (const [name, value] of Object.entries(parameters)) bound[name] = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
    return escape(sql, bound, nativeParameters);
  };
}

/** Any number that the instances of one database agree on: the lock held while one of them migrates. */
const MIGRATION_LOCK = 7_405_311;

/** The app's DataSource, initialised, with every migration run (on Postgres by one instance at a time). */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const source = await createDataSource(options).initialize();
  if (options.type !== 'postgres') return source;
  const runner = source.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await source.runMigrations({ transaction: 'all' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (error) {
    await runner.release();
    await source.destroy();
    throw error;
  }
  await runner.release();
  return source;
}
