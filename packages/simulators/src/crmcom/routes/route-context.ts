import type { Request } from 'express';
import { CrmComStore } from '../crmcom-store';
import { Query } from '../paging';
import { QueryFilters } from '../query-filters';

export interface RouteContext {
  store: CrmComStore;
  ignoredFilters(): ReadonlySet<string>;
  /** the guesses switched on (see CrmComVariants) */
  variants(): { journalsWithoutContact?: boolean; contactsWithoutCreatedDate?: boolean; walletsWithoutBalance?: boolean };
}

export function filtersOf(req: Request, context: RouteContext): QueryFilters {
  return new QueryFilters(req.query as Query, context.ignoredFilters());
}

/** Express 5 types a route parameter as string | string[]. */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : String(value);
}
