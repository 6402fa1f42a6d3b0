import { badRequest } from './pepper-errors';

/** Pepper's dotted comparison filters on a date field, e.g. `when.timestamp.gt=<ISO>`; bounds in epoch ms. */
export interface TimeFilter {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
}

const OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;

/** `field=<ISO>` without an operator means `eq`. `read` gives a query parameter's value. */
export function parseTimeFilter(read: (key: string) => string | undefined, field: string): TimeFilter {
  const filter: TimeFilter = {};
  const bare = read(field);
  if (bare !== undefined) filter.eq = parseInstant(bare, field);
  for (const op of OPERATORS) {
    const value = read(`${field}.${op}`);
    if (value !== undefined) filter[op] = parseInstant(value, `${field}.${op}`);
  }
  return filter;
}

export function matchesTime(ms: number, filter: TimeFilter): boolean {
  return (
    (filter.gt === undefined || ms > filter.gt) &&
    (filter.gte === undefined || ms >= filter.gte) &&
    (filter.lt === undefined || ms < filter.lt) &&
    (filter.lte === undefined || ms <= filter.lte) &&
    (filter.eq === undefined || ms === filter.eq) &&
    (filter.neq === undefined || ms !== filter.neq)
  );
}

function parseInstant(value: string, name: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badRequest(`${name} is not a valid date: ${value}`);
  return ms;
}
