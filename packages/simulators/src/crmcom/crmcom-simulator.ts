import type { Express } from 'express';
import { FaultInjector } from '../shared/fault-injector';
import { listen, RunningServer } from '../shared/listen';
import { buildCrmComApp, RecordedRequest } from './crmcom-app';
import {
  AccountRecord,
  ContactRecord,
  epochSeconds,
  JournalRecord,
  JournalTransactionType,
  JournalType,
  PurchaseRecord,
} from './crmcom-records';
import { ContactPatch, CrmComStore, StoreSettings } from './crmcom-store';
import { storedPhone } from './phone-form';
import { CrmAudienceStore, ProductRecord } from './audience-store';
import { majorTextToMinor } from './money';
import { RewardOffer } from './reward-offers';
import { BackOfficeUser, TokenStore } from './token-store';

export interface CrmComSimulatorOptions {
  apiKey: string;
  /** back-office users; when given, every call but the login also needs a Bearer access token (JWT mode) */
  users?: BackOfficeUser[];
  tokenTtlSeconds?: number;
  now?: () => Date;
  rewardOffers?: RewardOffer[];
  currency?: string;
  /** switches for guesses the API documents leave open: the suite shows the product works or parks loudly under each */
  variants?: CrmComVariants;
}

export interface CrmComVariants {
  /** contacts hold their phone as an E.164 string in `number` (no `country_code`), and the filter takes that form */
  phoneAsE164?: boolean;
  /** journal list items carry no `contact` (only their wallet), as the documented journal lists show */
  journalsWithoutContact?: boolean;
  /** contact list items carry no `created_date` (the field the contact index's newest-first refresh relies on) */
  contactsWithoutCreatedDate?: boolean;
  /** a contact read with include_wallet=true shows its wallet as the documents do, `{id, code}`, without its balance */
  walletsWithoutBalance?: boolean;
}

export interface AddContactInput {
  id?: string;
  code?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  /** E.164 or a GB local number; stored in the documented form (see `variants.phoneAsE164`) */
  phone?: string;
  emailOptOut?: boolean;
  smsOptOut?: boolean;
  /** creates the primary account and so the wallet; default true */
  withWallet?: boolean;
  /** opening balance in major units, e.g. "12.50", credited as a TOP_UP journal */
  balance?: string;
  /** when the opening balance is posted; default now() */
  postedAt?: Date;
}

export interface PosMovementOptions {
  /** the journal's posted_on (a business date, possibly in the past); default now() */
  postedAt?: Date;
  referenceNumber?: string;
  purchaseId?: string;
  notes?: string;
}

export interface PostJournalInput extends PosMovementOptions {
  type: JournalType;
  transactionType: JournalTransactionType;
  /** major units as decimal text, e.g. "2.50" */
  amount: string;
}

const DEFAULT_TOKEN_TTL_SECONDS = 3600;

function amountToMinor(amount: string): number {
  const minor = majorTextToMinor(amount);
  if (minor === undefined) throw new Error(`Invalid amount "${amount}": use major units with at most two decimals`);
  return minor;
}

/** A stateful in-process fake of the CRM.COM Back-Office v2 API (routes at the root of its URL). */
export class CrmComSimulator {
  readonly faults = new FaultInjector();
  readonly requests: RecordedRequest[] = [];
  /** filter names (e.g. `reference_number`, `posted_on`) the API silently ignores, returning unfiltered lists */
  ignoredFilters = new Set<string>();

  private readonly settings: StoreSettings;
  private readonly store: CrmComStore;
  private readonly tokens: TokenStore;
  private readonly initialRewardOffers: RewardOffer[];
  private expressApp: Express | undefined;
  private readonly audienceStore: CrmAudienceStore;

  constructor(private readonly options: CrmComSimulatorOptions) {
    const now = options.now ?? (() => new Date());
    this.initialRewardOffers = [...(options.rewardOffers ?? [])];
    this.settings = {
      currency: options.currency ?? 'EUR',
      now,
      rewardOffers: [...this.initialRewardOffers],
      rejectDuplicatePurchaseReferences: false,
      awardsPostedOnPurchaseDate: false,
    };
    this.store = new CrmComStore(this.settings);
    this.audienceStore = new CrmAudienceStore(() => this.store.nowSeconds());
    this.tokens = new TokenStore(options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, now);
  }

  /** Duplicate purchase reference numbers are accepted (a second purchase) unless this is true (then 400). */
  get rejectDuplicatePurchaseReferences(): boolean {
    return this.settings.rejectDuplicatePurchaseReferences;
  }
  set rejectDuplicatePurchaseReferences(value: boolean) {
    this.settings.rejectDuplicatePurchaseReferences = value;
  }

  /** Reward-offer awards are posted at now() unless this is true: then at the purchase's (business) date. */
  get awardsPostedOnPurchaseDate(): boolean {
    return this.settings.awardsPostedOnPurchaseDate;
  }
  set awardsPostedOnPurchaseDate(value: boolean) {
    this.settings.awardsPostedOnPurchaseDate = value;
  }

  get rewardOffers(): RewardOffer[] {
    return this.settings.rewardOffers;
  }
  set rewardOffers(offers: RewardOffer[]) {
    this.settings.rewardOffers = [...offers];
  }

  get currency(): string {
    return this.settings.currency;
  }

  get authCount(): number {
    return this.tokens.authCount;
  }

  get refreshCount(): number {
    return this.tokens.refreshCount;
  }

  /** The express app, e.g. for supertest. */
  get app(): Express {
    this.expressApp ??= buildCrmComApp({
      apiKey: this.options.apiKey,
      users: this.options.users ?? [],
      tokens: this.tokens,
      faults: this.faults,
      requests: this.requests,
      store: this.store,
      ignoredFilters: () => this.ignoredFilters,
      variants: () => this.options.variants ?? {},
      audiences: this.audienceStore,
    });
    return this.expressApp;
  }

  start(port = 0): Promise<RunningServer> {
    return listen(this.app, port, () => this.faults.releaseHanging());
  }

  /** Every access token issued so far stops working (refresh tokens still do). */
  expireAllTokens(): void {
    this.tokens.expireAll();
  }

  /** Back to an empty back office: data, tokens, counters, recorded requests, fault rules and quirks. */
  reset(): void {
    this.store.reset();
    this.audienceStore.reset();
    this.tokens.reset();
    this.requests.length = 0;
    this.faults.clear();
    this.ignoredFilters.clear();
    this.settings.rewardOffers = [...this.initialRewardOffers];
    this.settings.rejectDuplicatePurchaseReferences = false;
    this.settings.awardsPostedOnPurchaseDate = false;
  }

  addContact(input: AddContactInput = {}): ContactRecord {
    const withWallet = input.withWallet ?? true;
    if (input.balance !== undefined && !withWallet) throw new Error('A balance needs a wallet (withWallet: false)');
    if (input.balance !== undefined) amountToMinor(input.balance); // refuse a bad amount before creating anything
    const contact = this.store.createContact({
      id: input.id,
      code: input.code ?? null,
      contactType: 'PERSON',
      firstName: input.firstName ?? 'Sim',
      lastName: input.lastName ?? 'Contact',
      email: input.email ?? null,
      phone: input.phone === undefined ? null : storedPhone(input.phone, this.options.variants?.phoneAsE164 ?? false),
      emailOptOut: input.emailOptOut,
      smsOptOut: input.smsOptOut,
    });
    if (withWallet) this.store.createAccount(contact.id, { currencyCode: this.currency, isPrimary: true });
    if (input.balance !== undefined && amountToMinor(input.balance) > 0) {
      this.postJournal(contact.id, { type: 'CREDIT', transactionType: 'TOP_UP', amount: input.balance, postedAt: input.postedAt });
    }
    return structuredClone(contact);
  }

  /** A spend made at the POS: DEBIT / SPEND. Throws when the wallet balance is not enough. */
  posSpend(contactId: string, amount: string, opts: PosMovementOptions = {}): JournalRecord {
    return this.postJournal(contactId, { ...opts, type: 'DEBIT', transactionType: 'SPEND', amount });
  }

  /** An award made in CRM.COM: CREDIT / AWARD. */
  posAward(contactId: string, amount: string, opts: PosMovementOptions = {}): JournalRecord {
    return this.postJournal(contactId, { ...opts, type: 'CREDIT', transactionType: 'AWARD', amount });
  }

  postJournal(contactId: string, input: PostJournalInput): JournalRecord {
    const journal = this.store.postJournal({
      contactId,
      type: input.type,
      transactionType: input.transactionType,
      amountMinor: amountToMinor(input.amount),
      postedOn: input.postedAt === undefined ? undefined : epochSeconds(input.postedAt),
      referenceNumber: input.referenceNumber,
      purchaseId: input.purchaseId,
      notes: input.notes,
    });
    return structuredClone(journal);
  }

  /** The contact's wallet balance in integer minor units (0 when the contact has no wallet). */
  walletBalanceMinor(contactId: string): number {
    const contact = this.store.findContact(contactId);
    if (!contact) throw new Error(`Unknown contact ${contactId}`);
    return contact.walletId === null ? 0 : this.store.balancesOf(contact.walletId).totalMinor;
  }

  contacts(): ContactRecord[] {
    return structuredClone([...this.store.contacts.values()]);
  }

  /** A change made in CRM.COM itself (its back office), e.g. the CRM team fixing a duplicate's email. */
  updateContact(id: string, patch: Pick<ContactPatch, 'email' | 'firstName' | 'lastName'>): ContactRecord {
    return structuredClone(this.store.updateContact(id, patch));
  }

  getContact(id: string): ContactRecord | undefined {
    const contact = this.store.contacts.get(id);
    return contact && structuredClone(contact);
  }

  findContactByCode(code: string): ContactRecord | undefined {
    const contact = this.store.findContactByCode(code);
    return contact && structuredClone(contact);
  }

  /** The contact's accounts (all contacts' when no id is given). */
  accounts(contactId?: string): AccountRecord[] {
    const all = [...this.store.accounts.values()];
    return structuredClone(contactId === undefined ? all : all.filter((account) => account.contactId === contactId));
  }

  purchases(): PurchaseRecord[] {
    return structuredClone([...this.store.purchases.values()]);
  }

  /**
   * The purchases created after the first `skip`, in creation order, copying only those: a poller that keeps its
   * count (e.g. the bench) reads what is new without copying every purchase each time.
   */
  purchasesAfter(skip: number): PurchaseRecord[] {
    return structuredClone(recordsAfter(this.store.purchases, skip));
  }

  // ---- audiences and products (design §9; the routes are the connector's inferred ones)

  /** A contact segment with these members (replacing any earlier one with the id). */
  setSegment(id: string, name: string, contactIds: string[]): void {
    for (const contactId of contactIds) this.store.requireContact(contactId);
    this.audienceStore.segments.set(id, { id, name, contactIds: [...contactIds] });
  }

  /** Puts contacts in a reward tier (a contact is in one tier at most). */
  setTier(tierId: string, name: string, contactIds: string[]): void {
    this.audienceStore.tiers.set(tierId, { id: tierId, name });
    for (const contactId of contactIds) {
      this.store.requireContact(contactId);
      this.audienceStore.tierOf.set(contactId, tierId);
    }
  }

  /** Takes contacts out of whatever tier they are in. */
  clearTier(contactIds: string[]): void {
    for (const contactId of contactIds) this.audienceStore.tierOf.delete(contactId);
  }

  tierMembers(tierId: string): string[] {
    return [...this.audienceStore.tierOf.entries()].filter(([, tier]) => tier === tierId).map(([contactId]) => contactId);
  }

  tagContacts(tagId: string, name: string, contactIds: string[]): void {
    this.audienceStore.tags.set(tagId, { id: tagId, name });
    for (const contactId of contactIds) {
      this.store.requireContact(contactId);
      const tags = this.audienceStore.tagsOf.get(contactId) ?? new Set<string>();
      tags.add(tagId);
      this.audienceStore.tagsOf.set(contactId, tags);
    }
  }

  products(): ProductRecord[] {
    return structuredClone([...this.audienceStore.products.values()].sort((a, b) => a.sequence - b.sequence));
  }

  /** The number of products each `products/synchronise` call carried, in order. */
  get productSynchroniseCalls(): number[] {
    return [...this.audienceStore.synchroniseCalls];
  }

  /** All journals in creation order. */
  journals(): JournalRecord[] {
    return structuredClone([...this.store.journals.values()].sort((a, b) => a.sequence - b.sequence));
  }

  /** The journals created after the first `skip`, in creation order (see `purchasesAfter`). */
  journalsAfter(skip: number): JournalRecord[] {
    return structuredClone(recordsAfter(this.store.journals, skip).sort((a, b) => a.sequence - b.sequence));
  }
}

/** The records of a store map past its first `skip` (maps keep insertion order: records are added on creation). */
function recordsAfter<T>(records: ReadonlyMap<string, T>, skip: number): T[] {
  const after: T[] = [];
  let index = 0;
  for (const record of records.values()) if (index++ >= skip) after.push(record);
  return after;
}
