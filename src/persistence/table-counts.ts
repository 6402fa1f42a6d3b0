import { Worker } from 'node:worker_threads';
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** A counting connection that has had nothing to count for this long closes; the next count opens it again. */
const IDLE_CLOSE_MS = 60_000;

/**
 * The worker: one connection of its own to the same SQLite file, which it never writes (`query_only`), with a small
 * page cache (a count reads each page once). Plain JavaScript, so it runs the same from `dist/` and under ts-jest.
 */
const COUNTING_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 5000 });
db.pragma('query_only = ON');
db.pragma('cache_size = -2000');
let idle = null;
const closeWhenIdle = () => {
  clearTimeout(idle);
  idle = setTimeout(() => { db.close(); process.exit(0); }, workerData.idleMs);
};
closeWhenIdle();
parentPort.on('message', ({ id, sql, params }) => {
  try {
    parentPort.postMessage({ id, rows: db.prepare(sql).all(...params) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
  closeWhenIdle();
});
`;

/** The worker closed (idle, or stopped) with the count unanswered: asked again on a new one. */
class CountingWorkerClosed extends Error {
  constructor() {
    super('the counting connection closed before it answered');
  }
}

interface Pending {
  resolve: (rows: ObjectLiteral[]) => void;
  reject: (error: Error) => void;
}

/** One counting worker per SQLite file database. */
class CountingWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  exited = false;

  constructor(file: string) {
    this.worker = new Worker(COUNTING_WORKER, {
      eval: true,
      workerData: { file, driver: require.resolve('better-sqlite3'), idleMs: IDLE_CLOSE_MS },
      // plain JavaScript: none of the process' preloads (ts-node, a profiler) belongs in it
      execArgv: [],
      // a count holds a few rows at a time: a small heap keeps the process' memory flat
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    // Never what keeps the process alive: a stopping connector does not wait for an idle counting connection.
    this.worker.unref();
    this.worker.on('message', (answer: { id: number; rows?: ObjectLiteral[]; error?: string }) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (answer.error !== undefined) waiting.reject(new Error(answer.error));
      else waiting.resolve(answer.rows ?? []);
    });
    const fail = (error: Error) => {
      this.exited = true;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new CountingWorkerClosed()));
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }

  query(sql: string, params: unknown[]): Promise<ObjectLiteral[]> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, sql, params });
    });
  }
}

const workers = new WeakMap<DataSource, CountingWorker>();

function sqliteFileOf(source: DataSource): string | null {
  const { type, database } = source.options as { type: string; database?: unknown };
  if (type !== 'better-sqlite3' || typeof database !== 'string' || database === '' || database === ':memory:') return null;
  return database;
}

/**
 * Runs a counting query over whole tables (the totals of `/admin/status`, the gauges of `/metrics`). On a SQLite file
 * it runs on a connection of its own in a worker thread: on the connection that syncs, a count blocked the one thread
 * that also syncs, and each one read the whole table through that connection's page cache, pushing out the pages the
 * sync was using (README "Performance"). It reads what was committed when it starts (WAL). On Postgres, or an
 * in-memory SQLite database, it runs as any other query. Parameters are named (`:name`), as in TypeORM's query builder.
 */
export function countRows<T extends ObjectLiteral = ObjectLiteral>(source: DataSource, sql: string, parameters: ObjectLiteral = {}): Promise<T[]> {
  const [text, params] = source.driver.escapeQueryWithParameters(sql, parameters, {});
  return run<T>(source, text, params);
}

/** `countRows` for a counting query built with TypeORM's query builder (its raw rows). */
export function countRowsOf<T extends ObjectLiteral = ObjectLiteral>(query: SelectQueryBuilder<ObjectLiteral>): Promise<T[]> {
  const [text, params] = query.getQueryAndParameters();
  return run<T>(query.connection, text, params);
}

async function run<T extends ObjectLiteral>(source: DataSource, text: string, params: unknown[]): Promise<T[]> {
  const file = sqliteFileOf(source);
  if (file === null) return (await source.query(text, params)) as T[];
  try {
    return (await workerFor(source, file).query(text, params)) as T[];
  } catch (error) {
    // It closed for being idle just as this count was sent: once more, on a new connection.
    if (!(error instanceof CountingWorkerClosed)) throw error;
    return (await workerFor(source, file).query(text, params)) as T[];
  }
}

function workerFor(source: DataSource, file: string): CountingWorker {
  let worker = workers.get(source);
  if (!worker || worker.exited) {
    if (!workers.has(source)) closeWithDataSource(source);
    worker = new CountingWorker(file);
    workers.set(source, worker);
  }
  return worker;
}

/** TypeORM has no hook for a data source's end: its counting connection is closed by wrapping `destroy`, once. */
function closeWithDataSource(source: DataSource): void {
  const destroy = source.destroy.bind(source);
  source.destroy = async () => {
    const worker = workers.get(source);
    workers.delete(source);
    if (worker && !worker.exited) await worker.close();
    return destroy();
  };
}
