import { badRequest } from './pepper-errors';

/** Items kept in creation order, looked up by id, paged with the last id of the previous page as `startKey`. */
export class OrderedStore<T> {
  private items: T[] = [];
  private positions = new Map<string, number>();

  constructor(private readonly idOf: (item: T) => string) {}

  add(item: T): void {
    this.positions.set(this.idOf(item), this.items.length);
    this.items.push(item);
  }

  get(id: string): T | undefined {
    const position = this.positions.get(id);
    return position === undefined ? undefined : this.items[position];
  }

  has(id: string): boolean {
    return this.positions.has(id);
  }

  list(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.items = [];
    this.positions = new Map();
  }

  /** The matching items after `startKey`, at most `limit`; `nextKey` only when more match. */
  page(startKey: string | undefined, limit: number, matches: (item: T) => boolean = () => true) {
    let from = 0;
    if (startKey !== undefined) {
      const position = this.positions.get(startKey);
      if (position === undefined) throw badRequest(`Invalid startKey ${startKey}`);
      from = position + 1;
    }
    const found: T[] = [];
    for (let i = from; i < this.items.length && found.length <= limit; i++) {
      if (matches(this.items[i])) found.push(this.items[i]);
    }
    const items = found.slice(0, limit);
    const nextKey = found.length > limit ? this.idOf(items[items.length - 1]) : undefined;
    return { items, nextKey };
  }
}
