/** Not a failure: the event cannot be settled yet (e.g. waiting for the actions feed to show an echo). */
export class DeferredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeferredError';
  }
}
