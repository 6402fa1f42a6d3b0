import { badRequest } from './pepper-errors';
import type { PepperAction } from './pepper-types';
import type { TimeFilter } from './time-filter';

interface ActionEntry {
  /** emission order; breaks ties between equal timestamps */
  seq: number;
  atMs: number;
  visibleAtMs: number;
  action: PepperAction;
}

interface Position {
  atMs: number;
  seq: number;
}

export interface ActionSearch {
  time: TimeFilter;
  /** each list must contain the type (AND between lists) */
  typesIn: string[][];
  typesNotIn: string[];
  limit: number;
  startKey?: string;
  nowMs: number;
}

/**
 * Every emitted action, kept sorted by (timestamp, emission order). Searches walk it newest first; the cursor is the
 * position of the last item served, so actions appended between page requests never shift a later page.
 * Filtering and ordering use the time the action was emitted with, never the (possibly overridden) body.
 */
export class ActionLog {
  private entries: ActionEntry[] = [];
  private seq = 0;

  append(action: PepperAction, atMs: number, visibleAtMs: number): void {
    const entry: ActionEntry = { seq: ++this.seq, atMs, visibleAtMs, action };
    const last = this.entries[this.entries.length - 1];
    if (!last || last.atMs <= atMs) {
      this.entries.push(entry);
    } else {
      this.entries.splice(this.firstIndex((e) => e.atMs > atMs), 0, entry);
    }
  }

  /** oldest first, visible or not */
  all(): PepperAction[] {
    return this.entries.map((e) => e.action);
  }

  clear(): void {
    this.entries = [];
  }

  search(query: ActionSearch): { items: PepperAction[]; nextKey?: string } {
    const { time } = query;
    let lo = 0;
    let hi = this.entries.length;
    const atOrAfter = (ms: number) => this.firstIndex((e) => e.atMs >= ms);
    if (time.gt !== undefined) lo = Math.max(lo, atOrAfter(time.gt + 1));
    if (time.gte !== undefined) lo = Math.max(lo, atOrAfter(time.gte));
    if (time.eq !== undefined) {
      lo = Math.max(lo, atOrAfter(time.eq));
      hi = Math.min(hi, atOrAfter(time.eq + 1));
    }
    if (time.lt !== undefined) hi = Math.min(hi, atOrAfter(time.lt));
    if (time.lte !== undefined) hi = Math.min(hi, atOrAfter(time.lte + 1));
    if (query.startKey !== undefined) {
      const cursor = decodeCursor(query.startKey);
      hi = Math.min(hi, this.firstIndex((e) => compare(e, cursor) >= 0));
    }

    const found: ActionEntry[] = [];
    for (let i = hi - 1; i >= lo && found.length <= query.limit; i--) {
      const entry = this.entries[i];
      if (matches(entry, query)) found.push(entry);
    }
    const page = found.slice(0, query.limit);
    const nextKey = found.length > query.limit ? encodeCursor(page[page.length - 1]) : undefined;
    return { items: page.map((e) => e.action), nextKey };
  }

  /** first index whose entry satisfies `test`, which must be false then true along the array */
  private firstIndex(test: (entry: ActionEntry) => boolean): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test(this.entries[mid])) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function matches(entry: ActionEntry, query: ActionSearch): boolean {
  const type = entry.action.type;
  return (
    entry.visibleAtMs <= query.nowMs &&
    (query.time.neq === undefined || entry.atMs !== query.time.neq) &&
    query.typesIn.every((types) => types.includes(type)) &&
    !query.typesNotIn.includes(type)
  );
}

function compare(a: Position, b: Position): number {
  return a.atMs - b.atMs || a.seq - b.seq;
}

function encodeCursor(position: Position): string {
  return Buffer.from(`${position.atMs}:${position.seq}`).toString('base64url');
}

function decodeCursor(startKey: string): Position {
  const match = /^(-?\d+):(\d+)$/.exec(Buffer.from(startKey, 'base64url').toString());
  if (!match) throw badRequest(`Invalid startKey ${startKey}`);
  return { atMs: Number(match[1]), seq: Number(match[2]) };
}
