/** The one setting the TypeORM CLI needs, without requiring the whole service configuration. */
export function readDatabasePath(env: Record<string, string | undefined>): string {
  return env.DATABASE_PATH?.trim() || './data/connector.sqlite';
}

/** DATABASE_URL when set (PostgreSQL), else null (SQLite at DATABASE_PATH). */
export function readDatabaseUrl(env: Record<string, string | undefined>): string | null {
  return env.DATABASE_URL?.trim() || null;
}
