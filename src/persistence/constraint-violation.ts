/**
 * Whether a database error is a unique-constraint violation, whatever the driver says it in: SQLite's
 * "UNIQUE constraint failed" (SQLITE_CONSTRAINT) or PostgreSQL's SQLSTATE 23505. Stores turn it into a typed result;
 * nothing above the persistence layer matches driver messages.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; message?: unknown; driverError?: { code?: unknown } };
  if (e.code === '23505' || e.driverError?.code === '23505') return true;
  return typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed');
}
