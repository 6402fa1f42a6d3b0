import { randomBytes } from 'node:crypto';
import { Client, ClientConfig, types } from 'pg';

/**
 * `TEST_DATABASE=postgres` runs the e2e, chaos and store specs on PostgreSQL (TEST_DATABASE_URL, default the local
 * server's `test` database): every harness gets its own schema, created at start and dropped at the end, so test
 * files (and Jest's workers) never share state. Without it they run on SQLite as before.
 */
export const onPostgres = process.env.TEST_DATABASE === 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';

/** A pg client whose rows read like the SQLite ones the tests were written for: instants as ISO text, counts as numbers. */
export function testClientConfig(connectionString: string): ClientConfig {
  return {
    connectionString,
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === types.builtins.TIMESTAMPTZ || oid === types.builtins.TIMESTAMP) {
          const parse = types.getTypeParser(types.builtins.TIMESTAMPTZ);
          return (value: string) => (parse(value) as Date).toISOString();
        }
        if (oid === types.builtins.INT8 || oid === types.builtins.NUMERIC) return (value: string) => Number(value);
        return types.getTypeParser(oid, format as 'text');
      }) as never,
    },
  };
}

export interface TestSchema {
  name: string;
  /** DATABASE_URL whose connections work in this schema only */
  url: string;
  drop(): Promise<void>;
}

/** Registry: a harness's SQLite path (unused on Postgres) → its schema's URL, so the chaos helpers find the data. */
const schemaOfPath = new Map<string, string>();

export function registerPostgresPath(databasePath: string, url: string): void {
  schemaOfPath.set(databasePath, url);
}

export function postgresUrlFor(databasePathOrUrl: string): string | null {
  if (/^postgres(ql)?:\/\//.test(databasePathOrUrl)) return databasePathOrUrl;
  return schemaOfPath.get(databasePathOrUrl) ?? null;
}

export function withSearchPath(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty schema; `drop()` removes it with everything in it. */
export async function createTestSchema(prefix = 't'): Promise<TestSchema> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE SCHEMA "${name}"`));
  let dropped = false;
  return {
    name,
    url: withSearchPath(TEST_DATABASE_URL, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`));
    },
  };
}
