import { InvalidAmountError, parseDecimalToMinor } from '../common/money';
import { crmPhoneToE164 } from '../common/phone';
import {
  asRecord,
  booleanOr,
  isRecord,
  JsonRecord,
  optionalInteger,
  optionalRecord,
  optionalString,
  readableId,
  requiredString,
  ShapeError,
  within,
} from '../upstream/json-shape';
import { CrmAccount, CrmContact, CrmJournal, CrmPurchase, CrmWallet } from './crmcom.types';

/** The connector's currencies (EUR and the like) have two minor digits. */
export const CURRENCY_FRACTION_DIGITS = 2;

export function crmExternalId(raw: unknown): string | null {
  return readableId(raw, ['id']);
}

/** `defaultRegion` reads a phone CRM.COM holds as a local number (PHONE_DEFAULT_REGION). */
export function parseCrmContact(raw: unknown, defaultRegion = 'GB'): CrmContact {
  const contact = asRecord(raw, 'contact');
  const wallet = optionalRecord(contact, 'wallet');
  return {
    id: requiredString(contact, 'id'),
    code: optionalString(contact, 'code'),
    firstName: optionalString(contact, 'first_name'),
    lastName: optionalString(contact, 'last_name'),
    // inferred: the Back-Office answers `email`; the Self-Service update example names it `email_address`
    email: optionalString(contact, 'email') ?? optionalString(contact, 'email_address'),
    phoneNumber: crmPhoneToE164(contact.phone, defaultRegion),
    walletId: wallet ? within('wallet', () => optionalString(wallet, 'id')) : null,
    // inferred: a contact read with include_wallet=true shows its wallet's balance as GET /wallets/:id does
    // (`total_balance`); a wallet shown without it reads as null and the balance is read from the wallet. The preflight checks it.
    walletBalanceMinor: wallet ? within('wallet', () => optionalAmountMinor(wallet, 'total_balance')) : null,
    emailOptOut: booleanOr(contact, 'email_opt_out', false),
    smsOptOut: booleanOr(contact, 'sms_opt_out', false),
  };
}

/** A contact as a page of the contact list shows it, with when it was created (for the index's newest-first refresh). */
export function parseListedContact(raw: unknown, defaultRegion = 'GB'): { contact: CrmContact; createdOn: number | null } {
  const contact = parseCrmContact(raw, defaultRegion);
  // inferred: the list's items carry `created_date` (epoch seconds, as every V5 timestamp); the preflight checks it.
  return { contact, createdOn: optionalInteger(asRecord(raw, 'contact'), 'created_date') };
}

export function parseCrmAccount(raw: unknown): CrmAccount {
  const account = asRecord(raw, 'account');
  return {
    id: requiredString(account, 'id'),
    isPrimary: booleanOr(account, 'is_primary', false),
    currency: optionalString(account, 'currency_code'),
  };
}

export function parseCrmWallet(raw: unknown): CrmWallet {
  const wallet = asRecord(raw, 'wallet');
  return {
    id: requiredString(wallet, 'id'),
    contactId: idOf(wallet, 'contact'),
    currency: optionalString(wallet, 'currency_code') ?? optionalString(wallet, 'currency'),
    balanceMinor: requiredAmountMinor(wallet, 'total_balance'),
  };
}

export function parseCrmPurchase(raw: unknown): CrmPurchase {
  const purchase = asRecord(raw, 'purchase');
  const amounts = optionalRecord(purchase, 'transaction_amounts');
  return {
    id: requiredString(purchase, 'id'),
    referenceNumber: optionalString(purchase, 'reference_number'),
    contactId: idOf(purchase, 'contact'),
    totalMinor: amounts ? within('transaction_amounts', () => optionalAmountMinor(amounts, 'total')) : null,
    date: optionalInteger(purchase, 'date'),
  };
}

export function parseCrmJournal(raw: unknown): CrmJournal {
  const journal = asRecord(raw, 'journal');
  const type = requiredString(journal, 'type');
  if (type !== 'CREDIT' && type !== 'DEBIT') throw new ShapeError('"type" must be CREDIT or DEBIT');
  const postedOn = optionalInteger(journal, 'posted_on');
  if (postedOn === null) throw new ShapeError('"posted_on" must be epoch seconds');
  // Documented journal items carry no contact; a wallet (or account) id leads to the user instead.
  const contactId = idOf(journal, 'contact');
  const walletId = idOf(journal, 'wallet') ?? idOf(journal, 'account');
  if (contactId === null && walletId === null) throw new ShapeError('names neither "contact.id" nor "wallet.id": no way to the customer');
  const entity = journal.entity;
  return {
    id: requiredString(journal, 'id'),
    type,
    transactionType: optionalString(journal, 'transaction_type'),
    amountMinor: requiredAmountMinor(journal, 'amount'),
    currency: optionalString(journal, 'currency') ?? optionalString(journal, 'currency_code'),
    postedOn,
    contactId,
    walletId,
    entity: typeof entity === 'string' ? entity : isRecord(entity) && typeof entity.type === 'string' ? entity.type : null,
    referenceNumber: optionalString(journal, 'reference_number'),
    purchaseId: optionalString(journal, 'purchase_id'),
  };
}

/** The `{id}` CRM.COM answers a create with. */
export function parseCreatedId(raw: unknown): string {
  return requiredString(asRecord(raw, 'body'), 'id');
}

export interface CrmListPage {
  rawItems: unknown[];
  /** `paging.has_more`; null when the answer does not say (the caller must not take a full page for the last) */
  hasMore: boolean | null;
}

export function readCrmListPage(raw: unknown): CrmListPage {
  const body = asRecord(raw, 'body');
  if (!Array.isArray(body.content)) throw new ShapeError('no "content" array');
  const paging = optionalRecord(body, 'paging');
  const flag = paging?.has_more;
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean') throw new ShapeError('"paging.has_more" must be a boolean');
  const hasMore = typeof flag === 'boolean' ? flag : null;
  return { rawItems: body.content, hasMore };
}

export interface CrmTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch seconds. */
  expiresAt: number;
}

/** Answer of `POST /users/authenticate` and `POST /users/refresh`. */
export function parseCrmTokens(raw: unknown): CrmTokens {
  const body = asRecord(raw, 'body');
  // Seen as a number and as a numeric string.
  const expiresAt = epochSeconds(body.expiration_date) ?? epochSeconds(body.exp);
  if (expiresAt === null) throw new ShapeError('"expiration_date" must be epoch seconds');
  return {
    accessToken: requiredString(body, 'access_token'),
    refreshToken: optionalString(body, 'refresh_token'),
    expiresAt,
  };
}

/** `field.id` of a nested reference such as `contact: {id}`; also accepts a flat `field_id`. */
function epochSeconds(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,12}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** Account lists come flat (`content[account]`) or nested under their contact (`content[{accounts: [account]}]`). */
export function accountItemsOf(raw: unknown): unknown[] {
  return isRecord(raw) && Array.isArray(raw.accounts) ? raw.accounts : [raw];
}

function idOf(record: JsonRecord, field: string): string | null {
  const nested = record[field];
  if (isRecord(nested)) return within(field, () => optionalString(nested, 'id'));
  if (nested !== undefined && nested !== null) throw new ShapeError(`"${field}" must be an object when present`);
  return optionalString(record, `${field}_id`);
}

function requiredAmountMinor(record: JsonRecord, field: string): number {
  const minor = optionalAmountMinor(record, field);
  if (minor === null) throw new ShapeError(`"${field}" must be an amount`);
  return minor;
}

function optionalAmountMinor(record: JsonRecord, field: string): number | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  try {
    return parseDecimalToMinor(value, CURRENCY_FRACTION_DIGITS);
  } catch (err) {
    if (err instanceof InvalidAmountError) throw new ShapeError(`"${field}": ${err.message}`);
    throw err;
  }
}
