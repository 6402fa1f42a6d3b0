import { Router } from 'express';
import { BodyReader } from '../body-reader';
import { invalidValue } from '../crmcom-errors';
import { PhoneRecord } from '../crmcom-records';
import { ContactPatch } from '../crmcom-store';
import { pageOf, Query, readPageRequest } from '../paging';
import { queryFlag } from '../query-filters';
import { accountToWire, contactToWire } from '../wire-resources';
import { filtersOf, param, RouteContext } from './route-context';

const CONTACT_TYPES = ['PERSON', 'COMPANY'] as const;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function readPhone(body: BodyReader): PhoneRecord | null | undefined {
  const phone = body.optionalObject('phone');
  if (phone === undefined || phone === null) return phone;
  const countryCode = phone.optionalString('country_code');
  return {
    type: phone.optionalString('type') ?? 'MOBILE',
    ...(countryCode ? { countryCode } : {}),
    number: phone.requiredString('number'),
  };
}

function readEmail(body: BodyReader): string | null | undefined {
  const email = body.optionalString('email');
  if (typeof email === 'string' && !EMAIL.test(email)) throw invalidValue('email', 'email is not a valid email address');
  return email;
}

function readCode(body: BodyReader): string | null | undefined {
  const code = body.optionalString('code');
  if (code === '') throw invalidValue('code', 'code must not be empty');
  return code;
}

/** The writable contact fields; on create the names are required, on update every field is optional. */
function readContactFields(body: BodyReader, creating: boolean): ContactPatch {
  const present = (name: string) => creating || body.has(name);
  return {
    contactType: present('contact_type') ? body.requiredEnum('contact_type', CONTACT_TYPES) : undefined,
    code: readCode(body),
    firstName: present('first_name') ? body.requiredString('first_name') : undefined,
    lastName: present('last_name') ? body.requiredString('last_name') : undefined,
    email: readEmail(body),
    phone: readPhone(body),
    emailOptOut: body.optionalBoolean('email_opt_out'),
    smsOptOut: body.optionalBoolean('sms_opt_out'),
  };
}

export function contactsRoutes(context: RouteContext): Router {
  const { store } = context;
  const router = Router();

  router.get('/contacts', (req, res) => {
    const paging = readPageRequest(req.query as Query);
    const filters = filtersOf(req, context);
    const code = filters.text('code');
    const email = filters.text('email_address')?.toLowerCase();
    const phone = filters.text('phone_number');
    const matches = [...store.contacts.values()].filter(
      (contact) =>
        (code === undefined || contact.code === code) &&
        (email === undefined || contact.email?.toLowerCase() === email) &&
        (phone === undefined || contact.phone?.number === phone),
    );
    const includeWallet = queryFlag(req.query as Query, 'include_wallet');
    const undated = context.variants().contactsWithoutCreatedDate ?? false;
    res.json(
      pageOf(matches, paging, (contact) => {
        const wire = contactToWire(contact, store, includeWallet, context.variants());
        return undated ? { ...wire, created_date: undefined } : wire;
      }),
    );
  });

  router.get('/contacts/:id', (req, res) => {
    const contact = store.requireContact(param(req, 'id'));
    res.json(contactToWire(contact, store, queryFlag(req.query as Query, 'include_wallet'), context.variants()));
  });

  router.post('/contacts', (req, res) => {
    const fields = readContactFields(BodyReader.of(req.body), true);
    const contact = store.createContact({
      ...fields,
      contactType: fields.contactType ?? 'PERSON',
      firstName: fields.firstName ?? '',
      lastName: fields.lastName ?? '',
    });
    res.status(201).json({ id: contact.id });
  });

  router.put('/contacts/:id', (req, res) => {
    const contact = store.updateContact(param(req, 'id'), readContactFields(BodyReader.of(req.body), false));
    res.status(200).json({ id: contact.id });
  });

  router.get('/contacts/:id/accounts', (req, res) => {
    const contact = store.requireContact(param(req, 'id'));
    const paging = readPageRequest(req.query as Query);
    const filters = filtersOf(req, context);
    const isPrimary = filters.boolean('is_primary');
    const currencyCode = filters.text('currency_code');
    const matches = store
      .accountsOf(contact.id)
      .filter(
        (account) =>
          (isPrimary === undefined || account.isPrimary === isPrimary) &&
          (currencyCode === undefined || account.currencyCode === currencyCode),
      );
    res.json(pageOf(matches, paging, accountToWire));
  });

  router.post('/contacts/:id/accounts', (req, res) => {
    const contactId = param(req, 'id');
    store.requireContact(contactId);
    const body = BodyReader.of(req.body);
    const currencyCode = body.requiredString('currency_code');
    if (!/^[A-Z]{3}$/.test(currencyCode)) throw invalidValue('currency_code', 'currency_code must be an ISO 4217 code');
    const account = store.createAccount(contactId, {
      currencyCode,
      isPrimary: body.optionalBoolean('is_primary') ?? false,
      classificationId: body.optionalString('classification_id'),
      creditLimitMinor: body.optionalAmount('credit_limit'),
      paymentTermsId: body.optionalString('payment_terms_id'),
    });
    res.status(201).json({ id: account.id });
  });

  return router;
}
