import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { AppConfig } from '../config/app-config';
import { HttpMethod, safeUpstreamText } from '../upstream/http-failure';
import { asRecord, optionalString, requiredString, ShapeError } from '../upstream/json-shape';
import { ValidatedPage, validateItems } from '../upstream/paging';
import { QueryParams } from '../upstream/query-string';
import { RetryingHttp, UpstreamObserver } from '../upstream/retrying-http';
import { TokenBucket } from '../upstream/token-bucket';
import { UpstreamErrorCode } from '../upstream/upstream-error';
import { CrmComAuth } from './crmcom-auth';
import { CrmComError, crmComErrorFromFailure } from './crmcom.error';
import {
  crmExternalId,
  parseCreatedId,
  parseCrmAccount,
  parseCrmContact,
  parseListedContact,
  accountItemsOf,
  parseCrmJournal,
  parseCrmPurchase,
  parseCrmWallet,
  readCrmListPage,
} from './crmcom.parsers';
import {
  CrmAccount,
  CrmContact,
  CrmContactFilter,
  CrmContactWrite,
  CrmJournal,
  CrmJournalsQuery,
  CrmJournalWrite,
  CrmPurchase,
  CrmPurchaseWrite,
  CrmWallet,
} from './crmcom.types';
import {
  contactFilterToQueries,
  contactWriteToWire,
  journalToWire,
  primaryAccountToWire,
  purchaseToWire,
} from './crmcom.wire';

import {
  audienceRequest,
  contactIdOf,
  CrmAudience,
  CrmProductWrite,
  LEGACY_SYNC_MAX_PRODUCTS,
  LEGACY_SYNC_PATH,
  legacyProductToWire,
  v5ProductToWire,
} from './crmcom-audience.wire';

/** CRM.COM answers at most this many items per page. */
const MAX_PAGE_SIZE = 100;

/** The CRM.COM Back-Office v2 calls the connector makes (crmcom-api.md), with api_key and the optional user JWT. */
export class CrmComClient {
  private readonly http: RetryingHttp;
  private readonly auth: CrmComAuth;

  constructor(
    private readonly config: AppConfig,
    clock: Clock,
    sleeper: Sleeper,
    random: () => number = Math.random,
    observer: UpstreamObserver | null = null,
  ) {
    const secrets = (): string[] => this.auth.secrets();
    this.http = new RetryingHttp({
      upstream: 'crmcom',
      label: 'CRM.COM',
      baseURL: config.crmcom.apiUrl,
      http: config.http,
      defaultHeaders: { api_key: config.crmcom.apiKey, Accept: 'application/json' },
      clock,
      sleeper,
      random,
      secrets,
      observer,
      rateLimit: config.crmcom.maxRps ? new TokenBucket(config.crmcom.maxRps) : null,
      toError: (failure) => crmComErrorFromFailure(failure, secrets()),
    });
    this.auth = new CrmComAuth(config.crmcom, clock, this.http);
  }

  /**
   * Contacts matching the filter, every page. CRM.COM silently ignores filters it does not support, so every
   * record is checked against the filter: one that does not match fails the call with FILTER_IGNORED.
   */
  async findContacts(filter: CrmContactFilter): Promise<CrmContact[]> {
    for (const { name, value } of contactFilterToQueries(filter)) {
      const contacts = await this.readAll('/contacts', { [name]: value, include_wallet: true }, (raw) => parseCrmContact(raw, this.config.phoneDefaultRegion));
      const stranger = contacts.find((contact) => !contactMatches(contact, filter));
      if (stranger) {
        throw this.filterIgnored('/contacts', `${name}: contact ${stranger.id} does not match the filter`);
      }
      if (contacts.length > 0) return contacts;
    }
    return [];
  }

  /**
   * Every contact, newest first (`sort=CREATED_DATE&order=DESC`, with wallets), a page at a time: the contact index's
   * load and refresh. The caller stops when it has read back to what it knew; the order is checked, since CRM.COM
   * silently ignores a sort it does not support (an out-of-order page is SORT_IGNORED, never a silent partial read).
   */
  async *contactsNewestFirst(): AsyncGenerator<Array<{ contact: CrmContact; createdOn: number | null }>> {
    const path = '/contacts';
    const size = Math.min(this.config.crmcom.pageSize, MAX_PAGE_SIZE);
    let previous = Number.POSITIVE_INFINITY;
    for (let page = 1; ; page += 1) {
      const data = await this.call('GET', path, { query: { sort: 'CREATED_DATE', order: 'DESC', include_wallet: true, page, size } });
      const list = this.readBody('GET', path, () => readCrmListPage(data));
      const items = list.rawItems.map((raw) => this.readBody('GET', path, () => parseListedContact(raw, this.config.phoneDefaultRegion)));
      for (const { contact, createdOn } of items) {
        if (createdOn === null) throw this.filterIgnored(path, `contact ${contact.id} has no created_date: the list cannot be read newest first`);
        if (createdOn > previous) throw this.filterIgnored(path, `contact ${contact.id} is newer than the one before it: sort=CREATED_DATE&order=DESC was ignored`);
        previous = createdOn;
      }
      yield items;
      if (list.hasMore === false || (list.hasMore === null && list.rawItems.length < size) || list.rawItems.length === 0) return;
    }
  }

  async getContact(contactId: string): Promise<CrmContact> {
    const path = `/contacts/${encodeURIComponent(contactId)}`;
    const data = await this.call('GET', path, { query: { include_wallet: true } });
    return this.readBody('GET', path, () => parseCrmContact(data, this.config.phoneDefaultRegion));
  }

  /** Creates a PERSON contact; answers its id. Never resent after it may have reached CRM.COM. */
  async createContact(contact: CrmContactWrite): Promise<string> {
    const path = '/contacts';
    const data = await this.call('POST', path, { body: contactWriteToWire(contact, 'create'), idempotent: false });
    return this.readBody('POST', path, () => parseCreatedId(data));
  }

  async updateContact(contactId: string, contact: CrmContactWrite): Promise<void> {
    const path = `/contacts/${encodeURIComponent(contactId)}`;
    await this.call('PUT', path, { body: contactWriteToWire(contact, 'update'), idempotent: true });
  }

  async listAccounts(contactId: string): Promise<CrmAccount[]> {
    const path = `/contacts/${encodeURIComponent(contactId)}/accounts`;
    const accounts: CrmAccount[] = [];
    for await (const rawItems of this.rawPages(path, {})) {
      for (const raw of rawItems.flatMap(accountItemsOf)) accounts.push(this.readBody('GET', path, () => parseCrmAccount(raw)));
    }
    return accounts;
  }

  async createPrimaryAccount(contactId: string, currency: string): Promise<string> {
    const path = `/contacts/${encodeURIComponent(contactId)}/accounts`;
    const data = await this.call('POST', path, { body: primaryAccountToWire(currency), idempotent: false });
    return this.readBody('POST', path, () => parseCreatedId(data));
  }

  async getWallet(walletId: string): Promise<CrmWallet> {
    const path = `/wallets/${encodeURIComponent(walletId)}`;
    const data = await this.call('GET', path, {});
    return this.readBody('GET', path, () => parseCrmWallet(data));
  }

  /** Submits a purchase customer event; answers its id. Never resent after it may have reached CRM.COM. */
  async createPurchase(purchase: CrmPurchaseWrite): Promise<string> {
    const path = '/purchases';
    const data = await this.call('POST', path, { body: purchaseToWire(purchase), idempotent: false });
    return this.readBody('POST', path, () => parseCreatedId(data));
  }

  /** Purchases carrying the reference; FILTER_IGNORED when another reference comes back (absence unproven). */
  async findPurchasesByReference(referenceNumber: string): Promise<CrmPurchase[]> {
    const purchases = await this.readAll('/purchases', { reference_number: referenceNumber }, parseCrmPurchase);
    const stranger = purchases.find((purchase) => purchase.referenceNumber !== referenceNumber);
    if (stranger) {
      throw this.filterIgnored('/purchases', `reference_number: purchase ${stranger.id} has another reference`);
    }
    return purchases;
  }

  /** Posts a wallet journal (credit or debit) for the contact; answers its id. Never resent blindly. */
  async createJournal(contactId: string, journal: CrmJournalWrite): Promise<string> {
    const path = `/contacts/${encodeURIComponent(contactId)}/journals`;
    const data = await this.call('POST', path, { body: journalToWire(journal), idempotent: false });
    return this.readBody('POST', path, () => parseCreatedId(data));
  }

  /** Wallet journals posted in the window, oldest created first, a page at a time. */
  async *journalsPages(q: CrmJournalsQuery): AsyncGenerator<ValidatedPage<CrmJournal>> {
    const path = '/journals';
    const query: QueryParams = {
      entity: 'WALLET',
      'posted_on[gte]': q.postedOnGte,
      'posted_on[lt]': q.postedOnLt,
      reference_number: q.referenceNumber,
      contact_id: q.contactId,
      sort: 'CREATED_DATE',
      order: 'ASC',
    };
    for await (const rawItems of this.rawPages(path, query)) {
      const page = validateItems(rawItems, parseCrmJournal, crmExternalId);
      for (const journal of page.items) {
        const reason = journalOutsideQuery(journal, q);
        if (reason) throw this.filterIgnored(path, `journal ${journal.id} ${reason}`);
      }
      yield page;
    }
  }

  /**
   * The contact ids of an audience (a contact segment, a reward tier or a tag; every path inferred). Where the
   * records can show membership, one that does not belong fails the call with FILTER_IGNORED (an unfiltered answer).
   */
  async audienceContactIds(audience: CrmAudience): Promise<string[]> {
    const request = audienceRequest(audience);
    const ids: string[] = [];
    for await (const rawItems of this.rawPages(request.path, request.query)) {
      for (const raw of rawItems) {
        const id = this.readBody('GET', request.path, () => contactIdOf(raw));
        if (request.belongs && !request.belongs(raw)) {
          throw this.filterIgnored(request.path, `${audience.kind} ${audience.id}: contact ${id} is not in it`);
        }
        ids.push(id);
      }
    }
    return ids;
  }

  /** Legacy `products/synchronise` (seed 004): an upsert by code, so a retry is safe. At most 1,000 per call. */
  async synchroniseProducts(products: readonly CrmProductWrite[]): Promise<void> {
    if (products.length === 0 || products.length > LEGACY_SYNC_MAX_PRODUCTS) {
      throw new RangeError(`products/synchronise takes 1 to ${LEGACY_SYNC_MAX_PRODUCTS} products, got ${products.length}`);
    }
    await this.call('POST', LEGACY_SYNC_PATH, { body: { products_set: products.map(legacyProductToWire) }, idempotent: true });
  }

  /** v5 (inferred): the product with this sku, or null. */
  async findProductBySku(sku: string): Promise<string | null> {
    const path = '/products';
    const found = await this.readAll(path, { sku }, (raw) => {
      const record = asRecord(raw, 'product');
      return { id: requiredString(record, 'id'), sku: optionalString(record, 'sku') };
    });
    const stranger = found.find((p) => p.sku !== sku);
    if (stranger) throw this.filterIgnored(path, `sku: product ${stranger.id} has another sku`);
    return found[0]?.id ?? null;
  }

  /** v5 (inferred): creates a product; answers its id. A lost answer is found again by sku on the next run. */
  async createProduct(product: CrmProductWrite): Promise<string> {
    const path = '/products';
    const data = await this.call('POST', path, { body: v5ProductToWire(product), idempotent: false });
    return this.readBody('POST', path, () => parseCreatedId(data));
  }

  /** v5 (inferred): replaces a product's fields. */
  async updateProduct(productId: string, product: CrmProductWrite): Promise<void> {
    await this.call('PUT', `/products/${encodeURIComponent(productId)}`, { body: v5ProductToWire(product), idempotent: true });
  }

  private async readAll<T>(path: string, query: QueryParams, parse: (raw: unknown) => T): Promise<T[]> {
    const all: T[] = [];
    for await (const rawItems of this.rawPages(path, query)) {
      for (const raw of rawItems) all.push(this.readBody('GET', path, () => parse(raw)));
    }
    return all;
  }

  /**
   * Pages until `paging.has_more` is false. An answer that does not say is never taken for the last page while the
   * page is full: it reads on until a short page. More than `maxPages` pages is PAGE_LIMIT (a filter may be ignored).
   */
  private async *rawPages(path: string, query: QueryParams): AsyncGenerator<unknown[]> {
    const size = Math.min(this.config.crmcom.pageSize, MAX_PAGE_SIZE);
    const maxPages = this.config.crmcom.maxPages;
    for (let page = 1; ; page += 1) {
      const data = await this.call('GET', path, { query: { ...query, page, size } });
      const list = this.readBody('GET', path, () => readCrmListPage(data));
      yield list.rawItems;
      if (list.hasMore === false || (list.hasMore === null && list.rawItems.length < size)) return;
      if (page >= maxPages) {
        throw this.clientError('PAGE_LIMIT', 'GET', path, `still has more after ${maxPages} pages (the page cap)`);
      }
    }
  }

  private async call(
    method: HttpMethod,
    path: string,
    opts: { query?: QueryParams; body?: unknown; idempotent?: boolean },
  ): Promise<unknown> {
    const response = await this.http.request({
      method,
      path,
      query: opts.query,
      body: opts.body,
      idempotent: opts.idempotent ?? method === 'GET',
      auth: this.auth,
    });
    return response.data;
  }

  /** Runs an edge parser; a body that does not fit is INVALID_RESPONSE (for a write: done, but unreadable). */
  private readBody<T>(method: HttpMethod, path: string, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (err instanceof ShapeError) {
        throw this.clientError('INVALID_RESPONSE', method, path, `answered with an unexpected body: ${err.message}`);
      }
      throw err;
    }
  }

  private filterIgnored(path: string, detail: string): CrmComError {
    return this.clientError('FILTER_IGNORED', 'GET', path, `ignored a filter (${detail})`);
  }

  private clientError(code: UpstreamErrorCode, method: HttpMethod, path: string, what: string): CrmComError {
    const message = safeUpstreamText(`CRM.COM ${method} ${path} ${what}`, this.auth.secrets());
    return new CrmComError(message, { code, outcomeUnknown: code === 'INVALID_RESPONSE' && method !== 'GET' });
  }
}

function contactMatches(contact: CrmContact, filter: CrmContactFilter): boolean {
  if ('code' in filter) return contact.code === filter.code;
  if ('email' in filter) return normaliseEmail(contact.email) === normaliseEmail(filter.email);
  // Both sides are E.164 (the parser reads every form CRM.COM may hold).
  return contact.phoneNumber === filter.phone;
}

function normaliseEmail(email: string | null): string | null {
  return email === null ? null : email.trim().toLowerCase();
}


function journalOutsideQuery(journal: CrmJournal, q: CrmJournalsQuery): string | null {
  if (journal.postedOn < q.postedOnGte) return `was posted at ${journal.postedOn}, before posted_on[gte]`;
  if (q.postedOnLt !== undefined && journal.postedOn >= q.postedOnLt) {
    return `was posted at ${journal.postedOn}, not before posted_on[lt]`;
  }
  if (q.referenceNumber !== undefined && journal.referenceNumber !== q.referenceNumber) {
    return 'has another reference_number';
  }
  if (q.contactId !== undefined && journal.contactId !== null && journal.contactId !== q.contactId) return 'belongs to another contact';
  if (journal.entity !== null && journal.entity.toUpperCase() !== 'WALLET') return `is a journal of entity ${journal.entity}, not WALLET`;
  return null;
}
