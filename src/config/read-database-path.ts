/** The one setting the TypeORM CLI needs, without requiring the whole service configuration. */
export function readDatabasePath(env: Record<string, string | undefined>): string {
  return env.DATABASE_PATH?.trim() || './data/connector.sqlite';
}
