/**
 * Readable ids such as `usr_000001`. Counters survive `reset()` on purpose: a connector's database may outlive
 * a reset, and a reused action id would be taken for a duplicate.
 */
export class IdSequence {
  private readonly counters = new Map<string, number>();

  next(prefix: string, isTaken: (id: string) => boolean = () => false): string {
    for (;;) {
      const n = (this.counters.get(prefix) ?? 0) + 1;
      this.counters.set(prefix, n);
      const id = `${prefix}_${String(n).padStart(6, '0')}`;
      if (!isTaken(id)) return id;
    }
  }
}
