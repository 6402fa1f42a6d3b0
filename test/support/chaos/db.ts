import { Client } from 'pg';
import Database from 'better-sqlite3';
import { postgresUrlFor, testClientConfig } from '../test-database';

/** A handle to the connector's database: the SQLite file, or (TEST_DATABASE=postgres) the harness's schema. */
export type DbHandle = Database.Database | PgHandle;

class PgHandle {
  constructor(readonly client: Client) {}
}

/**
 * The tests' SQL is SQLite's: `?` placeholders, bare camelCase column names, 0/1 booleans. For Postgres the
 * placeholders are numbered, camelCase names quoted (Postgres folds bare names to lower case) and the one boolean
 * comparison the tests make spelled as a boolean.
 */
export function toPostgresSql(sql: string): string {
  let n = 0;
  return sql
    .replace(/('(?:[^']|'')*'|"(?:[^"]|"")*")|\?|\b([a-z]+[A-Z][A-Za-z0-9]*)\b/g, (match, quoted: string | undefined, camel: string | undefined) => {
      if (quoted) return quoted;
      if (camel) return `"${camel}"`;
      return `$${++n}`;
    })
    .replace(/"isWalletPerk" = 1/g, '"isWalletPerk" = true');
}

/**
 * Read-only access to the connector's database, independent of the connector's own DataSource: works for an
 * in-process connector and for a child process alike (WAL mode lets us read while it writes).
 */
export async function queryDb<T = Record<string, unknown>>(databasePath: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withDb(databasePath, (db) => all<T>(db, sql, params));
}

/**
 * SQLite through better-sqlite3, the connector's own driver: two copies of SQLite in one process (an in-process
 * connector and this reader) do not see each other's locks, and one could delete the WAL the other still writes to.
 */
export async function withDb<T>(databasePath: string, work: (db: DbHandle) => Promise<T>, mode: 'readonly' | 'readwrite' = 'readonly'): Promise<T> {
  const pgUrl = postgresUrlFor(databasePath);
  if (pgUrl) {
    const client = new Client(testClientConfig(pgUrl));
    await client.connect();
    try {
      return await work(new PgHandle(client));
    } finally {
      await client.end();
    }
  }
  const db = new Database(databasePath, { readonly: mode === 'readonly', fileMustExist: true, timeout: 5000 });
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

/** Writes to the connector's database: only for reproducing, on disk, the state a crash leaves behind. */
export function writeDb(databasePath: string, sql: string, params: unknown[] = []): Promise<void> {
  return withDb(databasePath, (db) => run(db, sql, params), 'readwrite');
}

/** As the sqlite3 driver bound them: booleans as 1/0, dates as epoch milliseconds. */
const bindable = (params: unknown[]): unknown[] =>
  params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p instanceof Date ? p.getTime() : p));

export async function all<T>(db: DbHandle, sql: string, params: unknown[] = []): Promise<T[]> {
  if (db instanceof PgHandle) return (await db.client.query(toPostgresSql(sql), params)).rows as T[];
  return db.prepare(sql).all(...bindable(params)) as T[];
}

async function run(db: DbHandle, sql: string, params: unknown[] = []): Promise<void> {
  if (db instanceof PgHandle) {
    await db.client.query(toPostgresSql(sql), params);
    return;
  }
  db.prepare(sql).run(...bindable(params));
}

/** TypeORM stores `datetime` columns in SQLite as UTC text 'YYYY-MM-DD HH:MM:SS.SSS'; Postgres ones are read as ISO text. */
export function sqliteDateMs(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const iso = /^\d{4}-\d{2}-\d{2} /.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export interface InboundEventRow {
  id: number;
  source: string;
  externalId: string;
  type: string;
  pepperUserId: string | null;
  state: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  occurredAt: string;
}

export function inboundEvents(databasePath: string, source?: 'pepper' | 'crmcom'): Promise<InboundEventRow[]> {
  return source
    ? queryDb<InboundEventRow>(databasePath, 'SELECT * FROM inbound_event WHERE source = ? ORDER BY id', [source])
    : queryDb<InboundEventRow>(databasePath, 'SELECT * FROM inbound_event ORDER BY id');
}

/** Events still queued (PENDING, due now or later): the connector is not quiescent while there are any. */
export async function pendingEvents(databasePath: string): Promise<InboundEventRow[]> {
  return (await inboundEvents(databasePath)).filter((e) => e.state === 'PENDING');
}

/** Every row of every table, as JSON text: for scanning the database for secrets. */
export async function dumpDatabase(databasePath: string): Promise<string> {
  return withDb(databasePath, async (db) => {
    const tables = await all<{ name: string }>(
      db,
      db instanceof PgHandle
        ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()'
        : "SELECT name FROM sqlite_master WHERE type = 'table'",
    );
    const dump: Record<string, unknown[]> = {};
    for (const { name } of tables) dump[name] = await all(db, `SELECT * FROM "${name.replace(/"/g, '""')}"`);
    return JSON.stringify(dump);
  });
}
