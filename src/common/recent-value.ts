/**
 * A value computed at most once per `ttlMs` (callers within it share the last one, or the one being computed).
 * For the operator's totals: counting whole tables blocks the one thread that also does the syncing (SQLite runs in
 * it), so at a large merchant's scale a dashboard polling every second must not count every second.
 */
export class RecentValue<T> {
  private value: { at: number; promise: Promise<T> } | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly load: () => Promise<T>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    const now = this.nowMs();
    if (this.value && now - this.value.at < this.ttlMs) return this.value.promise;
    const promise = this.load();
    this.value = { at: now, promise };
    // A failed count is not kept: the next caller tries again.
    promise.catch(() => {
      if (this.value?.promise === promise) this.value = null;
    });
    return promise;
  }
}
