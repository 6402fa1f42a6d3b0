/**
 * Not a failure: the event cannot be settled yet (e.g. waiting for the actions feed to show an echo). It waits
 * without using an attempt, until `retryAt` when the waiter knows it, and never longer than MAX_WAIT_HOURS.
 */
export class DeferredError extends Error {
  constructor(
    message: string,
    readonly retryAt: Date | null = null,
  ) {
    super(message);
    this.name = 'DeferredError';
  }
}
