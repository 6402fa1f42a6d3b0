import { Router } from 'express';
import { notFound } from '../pepper-errors';
import type { PepperState } from '../pepper-state';
import { QueryParams, pageInfo } from './query-params';

export function userRoutes(state: PepperState): Router {
  const router = Router();

  router.get('/users', (req, res) => {
    const query = new QueryParams(req);
    const limit = query.limit();
    const startKey = query.startKey();
    const { items, nextKey } = state.listUsers(startKey, limit, query.includes('include', 'credentials'));
    res.json({ items, page: pageInfo(limit, items.length, startKey, nextKey) });
  });

  router.get('/users/:userId', (req, res) => {
    const user = state.getUser(req.params.userId);
    if (!user) throw notFound(`User ${req.params.userId} not found`);
    if (!new QueryParams(req).includes('include', 'credentials')) delete user.credentials;
    res.json(user);
  });

  return router;
}
