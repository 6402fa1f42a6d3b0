import { invalidValue } from './crmcom-errors';
import { Query, queryValue } from './paging';

/**
 * Reads list filters. A filter named in `ignored` (by its full name such as `posted_on[gte]`, or its base name
 * `posted_on`) reads as absent: the real API silently ignores filters it does not support.
 */
export class QueryFilters {
  constructor(
    private readonly query: Query,
    private readonly ignored: ReadonlySet<string>,
  ) {}

  text(name: string): string | undefined {
    if (this.isIgnored(name)) return undefined;
    return queryValue(this.query, name);
  }

  boolean(name: string): boolean | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') throw invalidValue(name, `${name} must be true or false`);
    return text === 'true';
  }

  epochSeconds(name: string): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text)) throw invalidValue(name, `${name} must be epoch seconds`);
    return Number(text);
  }

  /** `name[gt|gte|lt|lte]` bounds as one predicate. */
  epochRange(name: string): (value: number) => boolean {
    const gt = this.epochSeconds(`${name}[gt]`);
    const gte = this.epochSeconds(`${name}[gte]`);
    const lt = this.epochSeconds(`${name}[lt]`);
    const lte = this.epochSeconds(`${name}[lte]`);
    return (value) =>
      (gt === undefined || value > gt) &&
      (gte === undefined || value >= gte) &&
      (lt === undefined || value < lt) &&
      (lte === undefined || value <= lte);
  }

  private isIgnored(name: string): boolean {
    return this.ignored.has(name) || this.ignored.has(name.replace(/\[.*\]$/, ''));
  }
}

/** Non-filter flags such as include_wallet, never ignored. */
export function queryFlag(query: Query, name: string): boolean {
  return queryValue(query, name) === 'true';
}
