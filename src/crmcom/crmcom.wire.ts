import { minorToMajor } from '../common/money';
import { e164ToCrmPhone, nationalNumberOf } from '../common/phone';
import { CURRENCY_FRACTION_DIGITS } from './crmcom.parsers';
import { CrmContactFilter, CrmContactWrite, CrmJournalWrite, CrmPurchaseWrite } from './crmcom.types';

/**
 * The CRM.COM field names the connector writes and searches by.
 * This is the one place that knows them: change them here if a real sandbox disagrees.
 */

export type JsonBody = Record<string, unknown>;

export function contactWriteToWire(contact: CrmContactWrite, purpose: 'create' | 'update'): JsonBody {
  const wire: JsonBody = {};
  if (purpose === 'create') wire.contact_type = 'PERSON';
  if (contact.code !== undefined) wire.code = contact.code;
  if (contact.firstName !== undefined) wire.first_name = contact.firstName;
  if (contact.lastName !== undefined) wire.last_name = contact.lastName;
  if (contact.email !== undefined) wire.email = contact.email;
  if (contact.phoneNumber !== undefined) {
    // Documented: phone{type, country_code (ISO-3), number (national)}. A number that cannot be written so is not sent.
    const phone = contact.phoneNumber === null ? null : e164ToCrmPhone(contact.phoneNumber);
    if (contact.phoneNumber === null || phone) wire.phone = phone;
  }
  if (contact.emailOptOut !== undefined) wire.email_opt_out = contact.emailOptOut;
  if (contact.smsOptOut !== undefined) wire.sms_opt_out = contact.smsOptOut;
  return wire;
}

/**
 * The query of a contact search, in the order to try: the first that finds contacts wins. Every answer is checked
 * against the filter by the client.
 */
export function contactFilterToQueries(filter: CrmContactFilter): Array<{ name: string; value: string }> {
  if ('code' in filter) return [{ name: 'code', value: filter.code }];
  if ('email' in filter) return [{ name: 'email_address', value: filter.email }];
  // inferred: the form `phone_number=` wants is undocumented. Contacts hold the national number (documented shape),
  // so that is asked first; contacts written by others may hold an E.164 string, asked second. Preflight checks it.
  const national = nationalNumberOf(filter.phone);
  return [...(national ? [{ name: 'phone_number', value: national }] : []), { name: 'phone_number', value: filter.phone }];
}

export function primaryAccountToWire(currency: string): JsonBody {
  return { currency_code: currency, is_primary: true };
}

export function purchaseToWire(purchase: CrmPurchaseWrite): JsonBody {
  const amounts: JsonBody = { total: major(purchase.totalMinor) };
  if (purchase.netMinor !== undefined && purchase.netMinor !== null) amounts.net = major(purchase.netMinor);
  if (purchase.taxMinor !== undefined && purchase.taxMinor !== null) amounts.tax = major(purchase.taxMinor);
  return {
    reference_number: purchase.referenceNumber,
    contact: { id: purchase.contactId },
    ...(purchase.organisationId ? { organisation: { id: purchase.organisationId } } : {}),
    currency_code: purchase.currency,
    date: purchase.dateEpochSeconds,
    transaction_amounts: amounts,
    products: purchase.products.map((product) => ({
      sku: product.sku,
      name: product.name,
      quantity: product.quantity,
      total_amount: major(product.totalMinor),
    })),
  };
}

export function journalToWire(journal: CrmJournalWrite): JsonBody {
  return {
    action: journal.action,
    entity: 'WALLET',
    amount: major(journal.amountMinor),
    currency_code: journal.currency,
    reference_number: journal.referenceNumber,
    notes: journal.notes,
  };
}

function major(minor: number): number {
  return minorToMajor(minor, CURRENCY_FRACTION_DIGITS);
}
