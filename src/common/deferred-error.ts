/** Not a failure: the event cannot be settled yet (e.g. waiting for the actions feed to show an echo). */
export class DeferredError extends Error {
  /** when the event is worth trying again; the queue's default wait when absent */
  readonly retryAt: Date | null;

  constructor(message: string, retryAt: Date | null = null) {
    super(message);
    this.name = 'DeferredError';
    this.retryAt = retryAt;
  }
}

/**
 * A write whose outcome is unknown and cannot be proved absent yet: a POST still being processed upstream is not
 * visible, so only a read-back after the settle delay may conclude it did not happen.
 */
export class WriteInDoubtError extends DeferredError {
  declare readonly retryAt: Date;

  constructor(
    readonly attemptId: number,
    readonly settleAt: Date,
    cause: string,
  ) {
    super(`write #${attemptId} is in doubt (${cause}); it can be settled by reading back from ${settleAt.toISOString()}`, settleAt);
    this.name = 'WriteInDoubtError';
  }
}
