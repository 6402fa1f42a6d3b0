import { ShapeError } from './json-shape';

export interface InvalidItem {
  raw: unknown;
  reason: string;
  externalId: string | null;
}

/** One page of a list: the items that passed edge validation, and the ones that did not (never thrown). */
export interface ValidatedPage<T> {
  items: T[];
  invalid: InvalidItem[];
}

/** Validates each raw item; a ShapeError makes that item invalid, any other error propagates. */
export function validateItems<T>(
  raws: readonly unknown[],
  parse: (raw: unknown) => T,
  externalIdOf: (raw: unknown) => string | null,
): ValidatedPage<T> {
  const page: ValidatedPage<T> = { items: [], invalid: [] };
  for (const raw of raws) {
    try {
      page.items.push(parse(raw));
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      page.invalid.push({ raw, reason: err.message, externalId: externalIdOf(raw) });
    }
  }
  return page;
}
