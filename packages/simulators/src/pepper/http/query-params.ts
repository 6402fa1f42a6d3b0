import type { Request } from 'express';
import { badRequest } from '../pepper-errors';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

/** Reads the query parsed by express's "simple" parser: a key maps to a string, or an array when repeated. */
export class QueryParams {
  private readonly query: Record<string, unknown>;

  constructor(req: Request) {
    this.query = req.query as Record<string, unknown>;
  }

  /** the first value; '' counts as absent */
  value = (key: string): string | undefined => {
    const raw = this.query[key];
    const first = Array.isArray(raw) ? raw[0] : raw;
    return typeof first === 'string' && first !== '' ? first : undefined;
  };

  /** comma lists, across repeats of the key */
  list(key: string): string[] | undefined {
    const raw = this.query[key];
    if (raw === undefined) return undefined;
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  }

  flag(key: string): boolean {
    return this.value(key) === 'true';
  }

  includes(key: string, option: string): boolean {
    return this.list(key)?.includes(option) ?? false;
  }

  limit(): number {
    const raw = this.value('limit');
    if (raw === undefined) return DEFAULT_LIMIT;
    const limit = Number(raw);
    if (!Number.isSafeInteger(limit) || limit < 1) throw badRequest(`limit must be a positive integer: ${raw}`);
    return Math.min(limit, MAX_LIMIT);
  }

  startKey(): string | undefined {
    return this.value('startKey');
  }
}

export interface PageInfo {
  limit: number;
  count: number;
  startKey?: string;
  nextKey?: string;
}

export function pageInfo(limit: number, count: number, startKey?: string, nextKey?: string): PageInfo {
  const page: PageInfo = { limit, count };
  if (startKey !== undefined) page.startKey = startKey;
  if (nextKey !== undefined) page.nextKey = nextKey;
  return page;
}
