import { Router } from 'express';
import { BodyReader } from '../body-reader';
import { invalidValue, notFound } from '../crmcom-errors';
import { PurchaseProductRecord } from '../crmcom-records';
import { pageOf, Query, readPageRequest } from '../paging';
import { purchaseToWire } from '../wire-resources';
import { filtersOf, param, RouteContext } from './route-context';

function readProduct(line: BodyReader): PurchaseProductRecord {
  const quantity = line.has('quantity') ? line.requiredAmount('quantity') / 100 : 1;
  if (quantity <= 0) throw invalidValue(line.field('quantity'), `${line.field('quantity')} must be greater than zero`);
  return {
    sku: line.requiredString('sku'),
    name: line.optionalString('name') ?? null,
    quantity,
    totalAmountMinor: line.requiredAmount('total_amount'),
  };
}

export function purchasesRoutes(context: RouteContext): Router {
  const { store } = context;
  const router = Router();

  router.post('/purchases', (req, res) => {
    const body = BodyReader.of(req.body);
    const referenceNumber = body.requiredString('reference_number');
    const contactId = body.requiredObject('contact').requiredString('id');
    const organisation = body.optionalObject('organisation');
    const currencyCode = body.requiredString('currency_code');
    const date = body.optionalNonNegativeInteger('date');
    const amounts = body.requiredObject('transaction_amounts');
    const totalMinor = amounts.requiredAmount('total');
    const netMinor = amounts.optionalAmount('net');
    const taxMinor = amounts.optionalAmount('tax');
    const products = body.optionalArray('products')?.map(readProduct);
    const spendRequest = body.optionalObject('spend_request');
    const purchase = store.createPurchase({
      referenceNumber,
      contactId,
      organisationId: organisation ? organisation.requiredString('id') : null,
      currencyCode,
      date,
      totalMinor,
      netMinor,
      taxMinor,
      products,
      notes: body.optionalString('notes'),
      spendRequestMinor: spendRequest ? spendRequest.requiredAmount('amount') : undefined,
    });
    res.status(201).json({ id: purchase.id });
  });

  router.get('/purchases', (req, res) => {
    const paging = readPageRequest(req.query as Query);
    const filters = filtersOf(req, context);
    const referenceNumber = filters.text('reference_number');
    const contactId = filters.text('contact_id');
    const inDateRange = filters.epochRange('date');
    const matches = [...store.purchases.values()].filter(
      (purchase) =>
        (referenceNumber === undefined || purchase.referenceNumber === referenceNumber) &&
        (contactId === undefined || purchase.contactId === contactId) &&
        inDateRange(purchase.date),
    );
    res.json(pageOf(matches, paging, (purchase) => purchaseToWire(purchase, store)));
  });

  router.get('/purchases/:id', (req, res) => {
    const purchase = store.purchases.get(param(req, 'id'));
    if (!purchase) throw notFound('Purchase');
    res.json(purchaseToWire(purchase, store));
  });

  return router;
}
