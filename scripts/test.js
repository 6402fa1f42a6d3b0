#!/usr/bin/env node
// `npm test`: the whole suite on SQLite, then the e2e, chaos and store specs on PostgreSQL when a server answers at
// TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). `npm test -- --postgres-only` (npm run
// test:postgres) runs only the second part, and fails when no server answers; so does REQUIRE_POSTGRES=1 (CI).
// Extra arguments go to both Jest runs.
const { spawnSync } = require('node:child_process');
const { Client } = require('pg');

const url = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const args = process.argv.slice(2);
const postgresOnly = args.includes('--postgres-only');
const jestArgs = args.filter((a) => a !== '--postgres-only');
// What runs on Postgres: everything that touches the database. SQLite only: the single-writer lease (Postgres has
// job leases instead, tested by test/multi-instance) and the pins CLI, which reads DATABASE_PATH.
const POSTGRES_PATHS = ['test/', 'src/persistence/stores/'];
const SQLITE_ONLY = ['test/chaos/single-writer', 'test/chaos/pinned-settings'];

function jest(extraArgs, env) {
  const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...extraArgs], { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

async function reachable() {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

(async () => {
  if (!postgresOnly) {
    const status = jest(jestArgs, {});
    if (status !== 0) process.exit(status);
  }
  if (!(await reachable())) {
    const required = postgresOnly || process.env.REQUIRE_POSTGRES === '1';
    process.stderr.write(`PostgreSQL does not answer at ${url.replace(/:[^:@/]*@/, ':***@')}: the Postgres run is ${required ? 'required' : 'skipped'}.\n`);
    process.exit(required ? 1 : 0);
  }
  const paths = jestArgs.some((a) => !a.startsWith('-')) ? [] : POSTGRES_PATHS;
  process.stdout.write(`\n== the same specs on PostgreSQL (TEST_DATABASE=postgres, one schema per test file) ==\n`);
  process.exit(jest([...paths, ...jestArgs, '--testPathIgnorePatterns', ...SQLITE_ONLY], { TEST_DATABASE: 'postgres', TEST_DATABASE_URL: url }));
})();
