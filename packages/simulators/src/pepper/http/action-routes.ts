import { Router } from 'express';
import type { PepperState } from '../pepper-state';
import { parseTimeFilter } from '../time-filter';
import { QueryParams, pageInfo } from './query-params';

export type ActionsEnvelope = 'items' | 'actions';

/** `withoutPage`: answer as the Platform API's actions example does, with no `page` object (a variant). */
export function actionRoutes(state: PepperState, envelope: ActionsEnvelope, withoutPage = false): Router {
  const router = Router();

  router.get('/actions', (req, res) => {
    const query = new QueryParams(req);
    const limit = query.limit();
    const startKey = query.startKey();
    // `type=` alone means `type.in=`; when both are given an action must satisfy both.
    const typesIn = [query.list('type'), query.list('type.in')].filter((l): l is string[] => l !== undefined);
    const { items, nextKey } = state.searchActions({
      time: parseTimeFilter(query.value, 'when.timestamp'),
      typesIn,
      typesNotIn: query.list('type.nin') ?? [],
      limit,
      startKey,
    });
    const page = pageInfo(limit, items.length, startKey, nextKey);
    if (withoutPage) res.json(envelope === 'actions' ? { actions: items } : { items });
    else res.json(envelope === 'actions' ? { actions: items, page } : { items, page });
  });

  return router;
}
