import { Router } from 'express';
import { BodyReader } from '../body-reader';
import { notFound } from '../crmcom-errors';
import { pageOf, Query, readPageRequest } from '../paging';
import { journalToWire } from '../wire-resources';
import { filtersOf, param, RouteContext } from './route-context';

export function journalsRoutes(context: RouteContext): Router {
  const { store } = context;
  const router = Router();

  router.post('/contacts/:id/journals', (req, res) => {
    const contact = store.requireContact(param(req, 'id'));
    const body = BodyReader.of(req.body);
    const type = body.requiredEnum('action', ['CREDIT', 'DEBIT'] as const);
    body.requiredEnum('entity', ['WALLET'] as const);
    const amountMinor = body.requiredAmount('amount');
    const currency = body.requiredString('currency_code');
    const journal = store.postJournal({
      contactId: contact.id,
      type,
      transactionType: 'ADJUSTMENT',
      amountMinor,
      currency,
      referenceNumber: body.optionalString('reference_number'),
      notes: body.optionalString('notes'),
    });
    res.status(201).json({ id: journal.id });
  });

  router.get('/journals', (req, res) => {
    const paging = readPageRequest(req.query as Query);
    const filters = filtersOf(req, context);
    const entity = filters.text('entity');
    const contactId = filters.text('contact_id');
    const walletId = filters.text('wallet_id');
    const referenceNumber = filters.text('reference_number');
    const type = filters.text('type');
    const transactionType = filters.text('event') ?? filters.text('transaction_type');
    const inPostedRange = filters.epochRange('posted_on');
    const matches = [...store.journals.values()].filter(
      (journal) =>
        (entity === undefined || entity === 'WALLET') &&
        (contactId === undefined || journal.contactId === contactId) &&
        (walletId === undefined || journal.walletId === walletId) &&
        (referenceNumber === undefined || journal.referenceNumber === referenceNumber) &&
        (type === undefined || journal.type === type) &&
        (transactionType === undefined || journal.transactionType === transactionType) &&
        inPostedRange(journal.postedOn),
    );
    const withoutContact = context.variants().journalsWithoutContact ?? false;
    res.json(pageOf(matches, paging, (journal) => {
      const wire: Record<string, unknown> = journalToWire(journal);
      if (withoutContact) delete wire.contact;
      return wire;
    }));
  });

  router.get('/journals/:id', (req, res) => {
    const journal = store.journals.get(param(req, 'id'));
    if (!journal) throw notFound('Journal');
    res.json(journalToWire(journal));
  });

  return router;
}
