import { isRecord } from '../upstream/json-shape';
import { isUpstreamError } from '../upstream/upstream-error';
import { QueryParams } from '../upstream/query-string';
import { PreflightDeps, RawApi } from './preflight.types';

/** How many records an unfiltered first page asks for: enough to find known values, one call each. */
export const SAMPLE_SIZE = 50;

export interface RawCrmList {
  items: unknown[];
  /** `paging.has_more` when it is a boolean; null when the answer does not say */
  hasMore: boolean | null;
}

/** A CRM.COM list answer read without judging it: `content` (required) and `paging.has_more` (if any). */
export function readRawCrmList(body: unknown, what: string): RawCrmList {
  if (!isRecord(body) || !Array.isArray(body.content)) throw new PreflightShapeError(`${what} answered without a "content" array`);
  const paging = isRecord(body.paging) ? body.paging : null;
  return { items: body.content, hasMore: typeof paging?.has_more === 'boolean' ? paging.has_more : null };
}

/** A list answer that does not have the shape the connector needs at all. */
export class PreflightShapeError extends Error {}

/**
 * One run's shared reads: the unfiltered first pages the filter checks take their known values from, each read once.
 */
export class PreflightSession {
  private readonly memo = new Map<string, Promise<RawCrmList>>();

  constructor(readonly deps: PreflightDeps) {}

  contacts(): Promise<RawCrmList> {
    return this.sample('/contacts', { include_wallet: true });
  }

  purchases(): Promise<RawCrmList> {
    return this.sample('/purchases', {});
  }

  /** The newest wallet journals. */
  journals(): Promise<RawCrmList> {
    return this.sample('/journals', { entity: 'WALLET', sort: 'CREATED_DATE', order: 'DESC' });
  }

  /** One filtered page of a CRM.COM list. */
  async crmPage(path: string, query: QueryParams): Promise<RawCrmList> {
    return readRawCrmList(await this.deps.crmRaw.get(path, { ...query, page: 1, size: SAMPLE_SIZE }), `GET ${path}`);
  }

  private sample(path: string, query: QueryParams): Promise<RawCrmList> {
    let pending = this.memo.get(path);
    if (!pending) {
      pending = this.crmPage(path, query);
      this.memo.set(path, pending);
    }
    return pending;
  }
}

/** A raw Pepper list: the items array (`items` or `actions`) and whether a `page` object came with it. */
export async function rawPepperList(api: RawApi, path: string, query: QueryParams): Promise<{ items: unknown[]; page: Record<string, unknown> | null }> {
  const body = await api.get(path, query);
  if (!isRecord(body)) throw new PreflightShapeError(`GET ${path} answered without a JSON object`);
  const items = Array.isArray(body.items) ? body.items : Array.isArray(body.actions) ? body.actions : null;
  if (!items) throw new PreflightShapeError(`GET ${path} answered without an "items" (or "actions") array`);
  return { items, page: isRecord(body.page) ? body.page : null };
}

/** An error as one line of the table. */
export function describeError(err: unknown): string {
  if (isUpstreamError(err)) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** 400 or 422: the API refused the value, so it read the filter (an ignored filter is never refused). */
export function isRejection(err: unknown): boolean {
  return isUpstreamError(err) && (err.code === 'BAD_REQUEST' || err.code === 'VALIDATION');
}

/** A field of a raw record as text for the table. */
export function fieldText(raw: unknown, field: string): string {
  if (!isRecord(raw)) return '?';
  const value = raw[field];
  if (value === undefined) return '(absent)';
  return JSON.stringify(value) ?? '?';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
