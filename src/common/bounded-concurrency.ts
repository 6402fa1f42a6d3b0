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
