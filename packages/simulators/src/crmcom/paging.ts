import { invalidValue } from './crmcom-errors';
import { CreatedOrdered } from './crmcom-records';

const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 10;
/** include_total counts at most this many (SSv2). */
const TOTAL_CAP = 10_000;
const SUPPORTED_SORTS = new Set(['CREATED_DATE']);

export type Query = Record<string, unknown>;

export interface PageRequest {
  page: number;
  size: number;
  order: 'ASC' | 'DESC';
  includeTotal: boolean;
}

export interface Page<T> {
  content: T[];
  paging: { page: number; size: number; total: number | null; has_more: boolean };
}

/** The simple query parser gives a string, or an array when a name repeats; the first one counts. */
export function queryValue(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function positiveInteger(query: Query, name: string, fallback: number): number {
  const text = queryValue(query, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw invalidValue(name, `${name} must be a positive integer`);
  return Number(text);
}

export function readPageRequest(query: Query): PageRequest {
  const page = positiveInteger(query, 'page', 1);
  const size = positiveInteger(query, 'size', DEFAULT_PAGE_SIZE);
  if (size > MAX_PAGE_SIZE) throw invalidValue('size', `size must be at most ${MAX_PAGE_SIZE}`);
  const sort = queryValue(query, 'sort') ?? 'CREATED_DATE';
  if (!SUPPORTED_SORTS.has(sort)) throw invalidValue('sort', `Unsupported sort: ${sort}`);
  const order = queryValue(query, 'order') ?? 'DESC';
  if (order !== 'ASC' && order !== 'DESC') throw invalidValue('order', 'order must be ASC or DESC');
  return { page, size, order, includeTotal: queryValue(query, 'include_total') === 'true' };
}

export function pageOf<R extends CreatedOrdered, T>(records: R[], request: PageRequest, toWire: (record: R) => T): Page<T> {
  const direction = request.order === 'ASC' ? 1 : -1;
  const ascending = (a: R, b: R) => a.createdDate - b.createdDate || a.sequence - b.sequence;
  // Records usually come in creation order already: checking is one pass, sorting 100,000 of them per page is not.
  const inOrder = records.every((record, i) => i === 0 || ascending(records[i - 1], record) <= 0);
  const sorted = inOrder ? (direction === 1 ? records : [...records].reverse()) : [...records].sort((a, b) => direction * ascending(a, b));
  const start = (request.page - 1) * request.size;
  const slice = sorted.slice(start, start + request.size);
  return {
    content: slice.map(toWire),
    paging: {
      page: request.page,
      size: request.size,
      total: request.includeTotal ? Math.min(sorted.length, TOTAL_CAP) : null,
      has_more: start + slice.length < sorted.length,
    },
  };
}
