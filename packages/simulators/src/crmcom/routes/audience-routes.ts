import { Router } from 'express';
import { CrmAudienceStore } from '../audience-store';
import { BodyReader } from '../body-reader';
import { invalidValue, notFound } from '../crmcom-errors';
import { ContactRecord } from '../crmcom-records';
import { pageOf, Query, readPageRequest } from '../paging';
import { queryFlag } from '../query-filters';
import { contactToWire } from '../wire-resources';
import { filtersOf, param, RouteContext } from './route-context';

export interface AudienceRouteContext extends RouteContext {
  audiences: CrmAudienceStore;
}

/**
 * Inferred routes (design §9): a segment's contacts, contacts by reward tier and by tag (answered with `reward_tier`
 * and `tags` on each contact), legacy `products/synchronise` and v5 per-product writes. Mounted before the contacts
 * routes: a `/contacts` list without these filters (or with them ignored) falls through to them, unfiltered.
 */
export function audienceRoutes(context: AudienceRouteContext): Router {
  const { store, audiences } = context;
  const router = Router();
  const wire = (contact: ContactRecord, includeWallet: boolean) => {
    const tierId = audiences.tierOf.get(contact.id);
    const tier = tierId === undefined ? undefined : audiences.tiers.get(tierId);
    return {
      ...contactToWire(contact, store, includeWallet),
      reward_tier: tier ? { id: tier.id, name: tier.name } : null,
      tags: [...(audiences.tagsOf.get(contact.id) ?? [])].map((id) => ({ id, name: audiences.tags.get(id)?.name ?? id })),
    };
  };

  router.get('/segments/:id/contacts', (req, res) => {
    const segment = audiences.segments.get(param(req, 'id'));
    if (!segment) throw notFound(`Segment ${param(req, 'id')}`);
    const contacts = segment.contactIds.map((id) => store.contacts.get(id)).filter((c): c is ContactRecord => c !== undefined);
    res.json(pageOf(contacts, readPageRequest(req.query as Query), (c) => wire(c, false)));
  });

  router.get('/contacts', (req, res, next) => {
    const filters = filtersOf(req, context);
    const tierId = filters.text('reward_tier_id');
    const tagId = filters.text('tag_id');
    if (tierId === undefined && tagId === undefined) return next();
    const matches = [...store.contacts.values()].filter(
      (c) => (tierId === undefined || audiences.tierOf.get(c.id) === tierId) && (tagId === undefined || (audiences.tagsOf.get(c.id)?.has(tagId) ?? false)),
    );
    res.json(pageOf(matches, readPageRequest(req.query as Query), (c) => wire(c, queryFlag(req.query as Query, 'include_wallet'))));
  });

  router.post('/products/synchronise', (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    res.json({ products_set: audiences.synchronise(body.products_set) });
  });

  const productToWire = (p: { id: string; sku: string; name: string; category: string | null; price: string | null; validTo: number | null }) => ({
    id: p.id,
    sku: p.sku,
    name: p.name,
    classification: p.category,
    price: p.price,
    validity_to: p.validTo,
  });
  const readProduct = (body: unknown) => {
    const reader = BodyReader.of(body);
    const validTo = (body as Record<string, unknown>).validity_to;
    if (validTo !== undefined && validTo !== null && typeof validTo !== 'number') throw invalidValue('validity_to', 'validity_to must be epoch seconds');
    return {
      sku: reader.requiredString('sku'),
      name: reader.requiredString('name'),
      category: reader.optionalString('classification') ?? null,
      price: reader.optionalString('price') ?? null,
      validTo: typeof validTo === 'number' ? validTo : null,
    };
  };

  router.get('/products', (req, res) => {
    const sku = filtersOf(req, context).text('sku');
    const matches = [...audiences.products.values()].filter((p) => sku === undefined || p.sku === sku);
    res.json(pageOf(matches, readPageRequest(req.query as Query), productToWire));
  });

  router.post('/products', (req, res) => {
    const input = readProduct(req.body);
    if (audiences.productBySku(input.sku)) throw invalidValue('sku', `a product with sku ${input.sku} already exists`);
    res.status(201).json({ id: audiences.upsertProduct(input).id });
  });

  router.put('/products/:id', (req, res) => {
    const product = audiences.requireProduct(param(req, 'id'));
    const input = readProduct(req.body);
    if (input.sku !== product.sku) throw invalidValue('sku', 'sku cannot change');
    audiences.upsertProduct(input);
    res.json({ id: product.id });
  });

  return router;
}
