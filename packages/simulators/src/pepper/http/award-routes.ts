import { Router } from 'express';
import type { PepperState } from '../pepper-state';
import type { PepperAward } from '../pepper-types';
import { parseTimeFilter } from '../time-filter';
import { BodyFields } from './body-fields';
import { QueryParams, pageInfo } from './query-params';

/** Perks and awards: the catalogue reads and the four award writes. */
export function awardRoutes(state: PepperState): Router {
  const router = Router();

  router.get('/perks', (req, res) => {
    const query = new QueryParams(req);
    const limit = query.limit();
    const startKey = query.startKey();
    const { items, nextKey } = state.listPerks(startKey, limit);
    res.json({ items, page: pageInfo(limit, items.length, startKey, nextKey) });
  });

  router.get('/awards', (req, res) => {
    const query = new QueryParams(req);
    const limit = query.limit();
    const startKey = query.startKey();
    // includeUnvisualisedAwards is accepted; the simulator has no unvisualised awards to hide.
    const { items, nextKey } = state.listAwards(startKey, limit, {
      userId: query.value('userId'),
      perkId: query.value('perkId'),
      updatedAt: parseTimeFilter(query.value, 'updatedAt'),
      includeDisabled: query.flag('includeDisabled'),
    });
    const fields = query.list('fields');
    const projected = fields && fields.length > 0 ? items.map((award) => project(award, fields)) : items;
    res.json({ items: projected, page: pageInfo(limit, items.length, startKey, nextKey) });
  });

  router.get('/users/:userId/pointawards', (req, res) => {
    res.json({ awards: state.userAwards(req.params.userId, new QueryParams(req).flag('includeDisabled')) });
  });

  router.post('/pointperks/:perkId/awards', (req, res) => {
    const body = new BodyFields(req.body);
    const userId = body.requiredString('userId');
    const points = body.positiveInteger('points');
    const locationId = body.optionalString('locationId');
    res.json(state.grantAward(userId, req.params.perkId, points, { locationId }));
  });

  router.post('/users/:userId/pointawards/:awardId/redeem', (req, res) => {
    const body = new BodyFields(req.body);
    const value = body.positiveInteger('valueToRedeem');
    const locationId = body.optionalString('locationId');
    res.json(state.redeemAward(req.params.userId, req.params.awardId, value, { locationId }));
  });

  router.post('/users/:userId/pointawards/:awardId/refund', (req, res) => {
    const body = new BodyFields(req.body);
    const value = body.positiveInteger('value');
    const locationId = body.optionalString('locationId');
    res.json(state.refundAward(req.params.userId, req.params.awardId, value, { locationId }));
  });

  router.put('/pointawards/:awardId', (req, res) => {
    const available = new BodyFields(req.body).nonNegativeIntegerAt('points', 'available');
    res.json(state.setAwardPoints(req.params.awardId, available));
  });

  return router;
}

function project(award: PepperAward, fields: string[]): Partial<PepperAward> {
  const source = award as unknown as Record<string, unknown>;
  return Object.fromEntries(fields.filter((f) => f in source).map((f) => [f, source[f]])) as Partial<PepperAward>;
}
