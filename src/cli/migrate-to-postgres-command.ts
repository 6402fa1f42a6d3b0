import { existsSync } from 'node:fs';
import { DataSource, EntityMetadata, QueryRunner } from 'typeorm';
import { describeDatabase, isPostgresUrl } from '../config/database-target';
import { buildDataSourceOptions, openDataSource } from '../persistence/data-source-options';
import { ENTITIES, LeaseEntity } from '../persistence/entities';
import { WRITER_LEASE } from '../persistence/lease/writer-lease';

export interface MigrateToPostgresEnv {
  /** DATABASE_PATH: the SQLite file, unless --from is given */
  databasePath: string;
  /** DATABASE_URL: the target, unless --to is given */
  databaseUrl: string | null;
  leaseTtlSeconds: number;
  now: Date;
}

export interface TableCount {
  table: string;
  sqlite: number;
  postgres: number;
}

/** Rows per INSERT (and per SQLite read): well under Postgres' 65,535 parameters for the widest table. */
export const DEFAULT_BATCH_SIZE = 500;

const USAGE =
  'usage: npm run migrate-to-postgres [-- --from <sqlite file>] [--to <postgres url>] [--batch-size <rows>]\n' +
  '       (defaults: DATABASE_PATH and DATABASE_URL; stop the connector first; the target must hold no data)';

/** Failure with a message for the operator (printed as is, exit 1). */
class MigrationRefused extends Error {}

/**
 * Moves a connector's state from SQLite to PostgreSQL (README, "Moving from SQLite to PostgreSQL"): migrates both
 * databases to the current schema, then copies every table the entities map in one Postgres transaction, in
 * batches, converting what the drivers store differently (SQLite's UTC datetime text → timestamptz, 0/1 → booleans;
 * simple-json stays text), sets each identity sequence past the largest id and compares the row counts table by
 * table before committing. Any mismatch or error rolls the whole copy back. The URL's password is never printed.
 */
export async function runMigrateToPostgresCommand(args: string[], env: MigrateToPostgresEnv, print: (line: string) => void): Promise<number> {
  const parsed = parseArgs(args, env);
  if (typeof parsed === 'string') {
    print(parsed);
    return 1;
  }
  const { from, to, batchSize } = parsed;
  const target = describeDatabase({ databasePath: from, databaseUrl: to });
  try {
    const counts = await migrate(from, to, batchSize, env, print);
    print(`Copied ${from} → ${target} in one transaction; row counts match:`);
    print(formatCounts(counts));
    print(`Start the connector with DATABASE_URL set (the cursors in sync_state carry over). Keep ${from} until it runs.`);
    return 0;
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error), to);
    print(error instanceof MigrationRefused ? message : `Migration failed, nothing was committed to ${target}: ${message}`);
    return 1;
  }
}

function parseArgs(args: string[], env: MigrateToPostgresEnv): { from: string; to: string; batchSize: number } | string {
  let from = env.databasePath;
  let to = env.databaseUrl;
  let batchSize = DEFAULT_BATCH_SIZE;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = inline ?? args[++i];
    if (!['--from', '--to', '--batch-size'].includes(flag)) return `Unknown argument ${flag}.\n${USAGE}`;
    if (value === undefined || value === '') return `${flag} needs a value.\n${USAGE}`;
    if (flag === '--from') from = value;
    else if (flag === '--to') to = value;
    else batchSize = Number(value);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 2000) return `--batch-size must be a whole number from 1 to 2000.\n${USAGE}`;
  if (!to) return `No target: give --to postgres://… or set DATABASE_URL.\n${USAGE}`;
  if (!isPostgresUrl(to)) return `The target must be a postgres:// URL with a host and a database name (postgres://user:password@host:5432/db).\n${USAGE}`;
  return { from, to, batchSize };
}

async function migrate(from: string, to: string, batchSize: number, env: MigrateToPostgresEnv, print: (line: string) => void): Promise<TableCount[]> {
  if (from === ':memory:' || !existsSync(from)) throw new MigrationRefused(`No SQLite database at ${from} (give --from <file> or set DATABASE_PATH).`);
  let sqlite: DataSource | null = null;
  let pg: DataSource | null = null;
  try {
    // Opening runs the SQLite migrations still pending: the rows are read in today's schema.
    sqlite = await openDataSource(buildDataSourceOptions(from));
    const holder = await liveWriter(sqlite, env);
    if (holder) throw new MigrationRefused(`A connector is running on ${from} (writer lease held by ${holder}): stop it first, then migrate.`);
    print(`Migrated ${from} to the current schema.`);

    pg = await openDataSource(buildDataSourceOptions({ databasePath: from, databaseUrl: to }));
    print(`Migrated ${describeDatabase({ databasePath: from, databaseUrl: to })} to the current schema.`);

    const tables = ENTITIES.map((entity) => pg!.getMetadata(entity)).filter((m) => m.tableName !== 'migrations');
    return await copyAll(sqlite, pg, tables, batchSize);
  } finally {
    await sqlite?.destroy().catch(() => undefined);
    await pg?.destroy().catch(() => undefined);
  }
}

async function copyAll(sqlite: DataSource, pg: DataSource, tables: EntityMetadata[], batchSize: number): Promise<TableCount[]> {
  const reader = sqlite.createQueryRunner();
  const writer = pg.createQueryRunner();
  await writer.connect();
  try {
    // One read transaction on SQLite: a consistent snapshot of every table.
    await reader.startTransaction();
    await writer.startTransaction();
    // Nobody writes these tables until the copy commits (a connector started too early waits, then finds the data).
    await writer.query(`LOCK TABLE ${tables.map((t) => quote(t.tableName)).join(', ')} IN EXCLUSIVE MODE`);
    const occupied: string[] = [];
    for (const table of tables) {
      const rows = await countOf(writer, table.tableName);
      if (rows > 0) occupied.push(`${table.tableName} (${rows} rows)`);
    }
    if (occupied.length > 0) {
      throw new MigrationRefused(
        `The target is not empty: ${occupied.join(', ')}. Migrate into a new, empty database or schema; nothing was copied.`,
      );
    }

    const counts: TableCount[] = [];
    for (const table of tables) {
      const expected = await countOf(reader, table.tableName);
      const copied = await copyTable(reader, writer, table, batchSize);
      await resetSequence(writer, table);
      const postgres = await countOf(writer, table.tableName);
      if (copied !== expected || postgres !== expected) {
        throw new Error(`row counts differ for ${table.tableName}: SQLite ${expected}, copied ${copied}, PostgreSQL ${postgres}`);
      }
      counts.push({ table: table.tableName, sqlite: expected, postgres });
    }
    await writer.commitTransaction();
    return counts;
  } catch (error) {
    if (writer.isTransactionActive) await writer.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    if (reader.isTransactionActive) await reader.rollbackTransaction().catch(() => undefined);
    await reader.release();
    await writer.release();
  }
}

/** Copies one table in rowid order, `batchSize` rows per read and per multi-row INSERT; returns the rows copied. */
async function copyTable(reader: QueryRunner, writer: QueryRunner, table: EntityMetadata, batchSize: number): Promise<number> {
  const columns = table.columns.map((c) => ({ name: c.databaseName, type: typeName(c.type) }));
  const insertHead = `INSERT INTO ${quote(table.tableName)} (${columns.map((c) => quote(c.name)).join(', ')}) VALUES `;
  let lastRowId = Number.MIN_SAFE_INTEGER;
  let copied = 0;
  for (;;) {
    const rows = (await reader.query(
      `SELECT rowid AS "__rowid", * FROM ${quote(table.tableName)} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
      [lastRowId, batchSize],
    )) as Array<Record<string, unknown>>;
    if (rows.length === 0) return copied;
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const slots = columns.map((column) => {
        if (!(column.name in row)) throw new Error(`${table.tableName}.${column.name} is missing from the SQLite table`);
        params.push(convert(row[column.name], column.type, `${table.tableName}.${column.name}`));
        return `$${params.length}`;
      });
      return `(${slots.join(', ')})`;
    });
    await writer.query(insertHead + tuples.join(', '), params);
    copied += rows.length;
    lastRowId = Number(rows[rows.length - 1].__rowid);
  }
}

/** The ids were copied as they were: the next generated id must come after the largest. */
async function resetSequence(writer: QueryRunner, table: EntityMetadata): Promise<void> {
  for (const column of table.columns.filter((c) => c.isGenerated && c.generationStrategy === 'increment')) {
    await writer.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${quote(column.databaseName)}), 0) + 1, false) FROM ${quote(table.tableName)}`,
      [quote(table.tableName), column.databaseName],
    );
  }
}

/** SQLite's stored value → the value the Postgres column takes. */
export function convert(value: unknown, type: string, where: string): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'datetime':
    case 'timestamp':
    case 'timestamptz':
      return sqliteInstant(value, where);
    case 'boolean':
      if (value === 1 || value === '1' || value === true || value === 'true') return true;
      if (value === 0 || value === '0' || value === false || value === 'false') return false;
      throw new Error(`${where} holds ${JSON.stringify(value)}, not a boolean (0/1)`);
    case 'integer':
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
      throw new Error(`${where} holds ${JSON.stringify(value)}, not an integer`);
    default:
      // varchar, text, simple-json (JSON text stays text)
      return typeof value === 'string' ? value : String(value);
  }
}

/** TypeORM writes instants to SQLite as UTC text 'YYYY-MM-DD HH:MM:SS.SSS' (datetime('now') without the millis). */
function sqliteInstant(value: unknown, where: string): Date {
  let ms = Number.NaN;
  if (typeof value === 'string') {
    const plain = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(value);
    ms = Date.parse(plain ? `${plain[1]}T${plain[2]}Z` : value);
  } else if (typeof value === 'number') {
    ms = value;
  }
  if (Number.isNaN(ms)) throw new Error(`${where} holds ${JSON.stringify(value)}, not a date and time`);
  return new Date(ms);
}

function typeName(type: unknown): string {
  if (typeof type === 'string') return type.toLowerCase();
  if (type === Number) return 'integer';
  if (type === Boolean) return 'boolean';
  if (type === Date) return 'datetime';
  return 'varchar';
}

async function countOf(runner: QueryRunner, table: string): Promise<number> {
  const [row] = (await runner.query(`SELECT COUNT(*) AS "n" FROM ${quote(table)}`)) as Array<{ n: number | string }>;
  return Number(row.n);
}

async function liveWriter(source: DataSource, env: MigrateToPostgresEnv): Promise<string | null> {
  const lease = await source.getRepository(LeaseEntity).findOneBy({ name: WRITER_LEASE });
  if (!lease?.holder || !lease.heartbeatAt) return null;
  const fresh = Date.parse(lease.heartbeatAt) >= env.now.getTime() - env.leaseTtlSeconds * 1000;
  return fresh ? `${lease.holder}, last heartbeat ${lease.heartbeatAt}` : null;
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Errors from the driver may quote the connection string: never its password. */
function redact(message: string, url: string): string {
  try {
    const password = new URL(url).password;
    if (!password) return message;
    return [password, decodeURIComponent(password)].reduce((text, secret) => text.split(secret).join('***'), message.split(url).join(describeDatabase({ databasePath: '', databaseUrl: url })));
  } catch {
    return message;
  }
}

export function formatCounts(counts: TableCount[]): string {
  const width = Math.max('table'.length, ...counts.map((c) => c.table.length));
  const head = `  ${'table'.padEnd(width)}  ${'SQLite'.padStart(8)}  ${'PostgreSQL'.padStart(10)}`;
  const lines = counts.map((c) => `  ${c.table.padEnd(width)}  ${String(c.sqlite).padStart(8)}  ${String(c.postgres).padStart(10)}`);
  const total = counts.reduce((sum, c) => sum + c.sqlite, 0);
  return [head, ...lines, `  ${'total'.padEnd(width)}  ${String(total).padStart(8)}  ${String(counts.reduce((s, c) => s + c.postgres, 0)).padStart(10)}`].join('\n');
}
