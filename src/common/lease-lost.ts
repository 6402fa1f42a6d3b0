/** Called once when this process learns it may no longer write to its database (another process holds the lease). */
export type LeaseLostHandler = (reason: string) => void;

export const LEASE_LOST = Symbol('LEASE_LOST');

/**
 * Stop at once rather than shut down gracefully: a graceful stop would keep writing for up to its grace period while
 * another process writes too. Writes in flight were stored before they were sent, so the next holder settles them.
 */
export const exitOnLeaseLost: LeaseLostHandler = () => process.exit(1);
