/** Where the state lives: a SQLite file (the embedded default) or a PostgreSQL server (DATABASE_URL). */
export interface DatabaseTarget {
  /** SQLite file, used when databaseUrl is null */
  databasePath: string;
  /** postgres://… ; selects PostgreSQL (several instances may share it) */
  databaseUrl?: string | null;
}

/** Whether a DATABASE_URL is one this service can use; the value itself is never echoed. */
export function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '' && url.pathname.length > 1;
  } catch {
    return false;
  }
}

/** A description of the target safe to log or print: the password is never shown. */
export function describeDatabase(target: DatabaseTarget): string {
  if (!target.databaseUrl) return target.databasePath;
  try {
    const url = new URL(target.databaseUrl);
    url.password = url.password ? '***' : '';
    url.search = '';
    return url.toString();
  } catch {
    return 'DATABASE_URL';
  }
}
