/**
 * Applies `task` to every item, in order, with at most `limit` in flight.
 *
 * Resolves once every item's task has resolved. When a task fails, no further item is started, the tasks already
 * in flight are awaited, and then the returned promise rejects with the first error. So when it settles, nothing
 * it started is still running (a caller that fails a run does not leave writes going on behind it).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        if (!failed) {
          failed = true;
          firstError = error;
        }
      }
    }
  };
  // Workers never reject, so this waits for every started task to settle.
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw firstError;
}

/**
 * Tasks given one at a time (a stream, not one array), at most `limit` in flight. `start` waits for a free slot;
 * the caller goes on reading its source while the slot's task runs, so the next page of a feed starts before the
 * slowest tasks of the last one finish. After a failure nothing more starts: `start` rejects with the first error.
 * `drain` waits for every started task, then rejects with the first error if one failed; `settle` only waits.
 */
export class TaskPool {
  private inFlight = 0;
  private failed = false;
  private firstError: unknown;
  private readonly slotWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async start(task: () => Promise<void>): Promise<void> {
    while (!this.failed && this.inFlight >= this.limit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    if (this.failed) throw this.firstError;
    this.inFlight += 1;
    void this.run(task);
  }

  async drain(): Promise<void> {
    await this.settle();
    if (this.failed) throw this.firstError;
  }

  async settle(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      if (!this.failed) {
        this.failed = true;
        this.firstError = error;
      }
    } finally {
      this.inFlight -= 1;
      // A failure wakes every waiter (they stop); otherwise one slot frees one waiter.
      if (this.failed) this.slotWaiters.splice(0).forEach((wake) => wake());
      else this.slotWaiters.shift()?.();
      if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    }
  }
}
