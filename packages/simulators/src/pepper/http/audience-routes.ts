import { Router } from 'express';
import { PepperAudiences, SEGMENT_TYPES, type NotificationInput, type SimSegment } from '../audience-state';
import { badRequest, notFound, validationError } from '../pepper-errors';
import { BodyFields } from './body-fields';
import { QueryParams, pageInfo } from './query-params';

function readNotification(body: unknown): NotificationInput {
  const fields = new BodyFields(body);
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (fields.requiredString('type') !== 'alert') throw validationError('type must be "alert"');
  if (typeof record.value !== 'string') throw validationError('value is required');
  if (typeof record.isProcessingMessage !== 'boolean') throw validationError('isProcessingMessage is required');
  return {
    title: fields.optionalString('title'),
    message: fields.requiredString('message'),
    type: 'alert',
    value: record.value,
    isProcessingMessage: record.isProcessingMessage,
  };
}

/** Segments, notifications and menus (pepper-api.md §8–9; design §9). The paths are the connector's inferred ones. */
export function audienceRoutes(audiences: PepperAudiences, userExists: (id: string) => boolean): Router {
  const router = Router();

  router.post('/segments', (req, res) => {
    const fields = new BodyFields(req.body);
    const type = fields.requiredString('type');
    if (!(SEGMENT_TYPES as readonly string[]).includes(type)) throw validationError(`type must be one of ${SEGMENT_TYPES.join(', ')}`);
    const segment = audiences.createSegment({
      title: fields.requiredString('title'),
      description: fields.optionalString('description'),
      type: type as SimSegment['type'],
    });
    res.json(segment);
  });

  router.get('/segments', (req, res) => {
    const query = new QueryParams(req);
    if (Number(req.get('x-api-version')) < 12) throw badRequest('GET /segments needs x-api-version 12 or higher');
    const { items, nextKey } = audiences.listSegments(query.startKey(), query.limit());
    res.json({ items, page: pageInfo(query.limit(), items.length, query.startKey(), nextKey) });
  });

  router.get('/segments/:segmentId', (req, res) => {
    const segment = audiences.getSegment(req.params.segmentId);
    if (!segment) throw notFound(`Segment ${req.params.segmentId} not found`);
    res.json(segment);
  });

  router.delete('/segments/:segmentId', (req, res) => {
    audiences.deleteSegment(req.params.segmentId);
    res.status(204).end();
  });

  router.get('/segments/:segmentId/users', (req, res) => {
    const query = new QueryParams(req);
    const { items, nextKey } = audiences.listMembers(req.params.segmentId, query.startKey(), query.limit());
    res.json({ items, page: pageInfo(query.limit(), items.length, query.startKey(), nextKey) });
  });

  router.post('/segments/:segmentId/users', (req, res) => {
    res.json({ added: audiences.addMembers(req.params.segmentId, req.body) });
  });

  router.delete('/segments/:segmentId/users', (req, res) => {
    res.json({ removed: audiences.removeMembers(req.params.segmentId, req.body) });
  });

  router.post('/notifications', (req, res) => {
    const input = readNotification(req.body);
    const body = req.body as Record<string, unknown>;
    const destinations = ['userIds', 'segmentIds', 'locationIds', 'global'].filter((k) => body[k] !== undefined);
    if (destinations.length !== 1) throw validationError('set exactly one of userIds, segmentIds, locationIds, global');
    const ids = body[destinations[0]];
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string')) {
      throw validationError(`${destinations[0]} must be a non-empty array of ids (the simulator supports userIds and segmentIds)`);
    }
    if (destinations[0] === 'segmentIds') res.json(audiences.notify(input, { segmentIds: ids as string[] }));
    else if (destinations[0] === 'userIds') res.json(audiences.notify(input, { userIds: ids as string[] }));
    else throw validationError(`${destinations[0]} is not simulated`);
  });

  router.post('/users/:userId/notifications', (req, res) => {
    if (!userExists(req.params.userId)) throw notFound(`User ${req.params.userId} not found`);
    res.json(audiences.notify(readNotification(req.body), { userIds: [req.params.userId] }));
  });

  router.post('/segments/:segmentId/notifications', (req, res) => {
    res.json(audiences.notify(readNotification(req.body), { segmentIds: [req.params.segmentId] }));
  });

  router.get('/notifications/:notificationId', (req, res) => {
    res.json(audiences.readNotification(req.params.notificationId));
  });

  router.get('/notifications/:notificationId/receipts', (req, res) => {
    const query = new QueryParams(req);
    const { items, nextKey } = audiences.listReceipts({ notificationId: req.params.notificationId }, query.startKey(), query.limit());
    res.json({ items, page: pageInfo(query.limit(), items.length, query.startKey(), nextKey) });
  });

  router.get('/users/:userId/notifications/receipts', (req, res) => {
    const query = new QueryParams(req);
    const { items, nextKey } = audiences.listReceipts({ userId: req.params.userId }, query.startKey(), query.limit());
    res.json({ items, page: pageInfo(query.limit(), items.length, query.startKey(), nextKey) });
  });

  // The menu host (PEPPER_MENU_API_URL): the simulator serves it on the same port.
  router.get('/menu', (req, res) => {
    const locationId = new QueryParams(req).value('locationId');
    if (!locationId) throw badRequest('locationId is required');
    res.json(audiences.menu(locationId));
  });

  return router;
}
