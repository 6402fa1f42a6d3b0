import { StartupRefusedError } from '../../common/startup-refused';
import type { LeaseEntity } from '../entities';

/** Names who holds the database, since when it was last alive, and when this process could take over. */
export class LeaseRefusedError extends StartupRefusedError {
  constructor(current: LeaseEntity, now: Date, ttlSeconds: number, databasePath: string) {
    const heartbeatMs = current.heartbeatAt ? Date.parse(current.heartbeatAt) : now.getTime();
    const agoSeconds = Math.max(0, (now.getTime() - heartbeatMs) / 1000).toFixed(1);
    const takeOverAt = new Date(heartbeatMs + ttlSeconds * 1000).toISOString();
    super(
      `The connector refuses to start: another process is the writer of the database ${databasePath}.\n` +
        `  holder ${current.holder}, last heartbeat ${current.heartbeatAt} (${agoSeconds} s ago)\n` +
        `It can take over at ${takeOverAt} if that process stops heartbeating (LEASE_TTL_SECONDS=${ttlSeconds}). ` +
        'Stop the other process first: SIGTERM releases the lease at once. Two processes on one database would send writes twice.',
    );
  }
}
