import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { Loyalty1764100000000 } from './migrations/1764100000000-loyalty';
import { DerivedMovementTotals1764200000000 } from './migrations/1764200000000-derived-movement-totals';
import { WriterLease1765100000000 } from './migrations/1765100000000-writer-lease';
import { WriteSettlement1765200000000 } from './migrations/1765200000000-write-settlement';
import { ConflictClaim1765200000001 } from './migrations/1765200000001-conflict-claim';
import { ExactlyOnce1765300000000 } from './migrations/1765300000000-exactly-once';
import { AuditTrail1766100000000 } from './migrations/1766100000000-audit-trail';
import { AudiencesProducts1766300000000 } from './migrations/1766300000000-audiences-products';
import { Alerts1766500000000 } from './migrations/1766500000000-alerts';

export const MIGRATIONS = [
  InitialSchema1764000000000,
  Loyalty1764100000000,
  DerivedMovementTotals1764200000000,
  WriterLease1765100000000,
  WriteSettlement1765200000000,
  ConflictClaim1765200000001,
  ExactlyOnce1765300000000,
  AuditTrail1766100000000,
  AudiencesProducts1766300000000,
  Alerts1766500000000,
];

/** The database holds customers' contact links: create it readable by its owner only. */
export function prepareDatabaseFile(path: string): void {
  if (path === ':memory:') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

export function buildDataSourceOptions(databasePath: string): DataSourceOptions {
  return {
    type: 'sqlite',
    database: databasePath,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
    // WAL lets readers (admin API) go on while a job writes; busy_timeout waits out short locks.
    enableWAL: true,
    busyTimeout: 5000,
  };
}
