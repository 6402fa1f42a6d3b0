import { randomUUID } from 'node:crypto';
import { CrmError, CrmExceptionCode, invalidValue, notFound } from './crmcom-errors';
import {
  AccountRecord,
  ContactRecord,
  epochSeconds,
  JournalRecord,
  JournalTransactionType,
  JournalType,
  PhoneRecord,
  PurchaseProductRecord,
  PurchaseRecord,
  WalletBalances,
  WalletRecord,
} from './crmcom-records';
import { awardMinorFor, RewardOffer } from './reward-offers';

/** Settings the simulator may change at any time; the store reads them on each operation. */
export interface StoreSettings {
  currency: string;
  now(): Date;
  rewardOffers: RewardOffer[];
  rejectDuplicatePurchaseReferences: boolean;
  awardsPostedOnPurchaseDate: boolean;
}

export interface NewContact {
  id?: string;
  code?: string | null;
  contactType: 'PERSON' | 'COMPANY';
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: PhoneRecord | null;
  emailOptOut?: boolean;
  smsOptOut?: boolean;
}

export type ContactPatch = Partial<Omit<NewContact, 'id'>>;

export interface NewAccount {
  currencyCode: string;
  isPrimary: boolean;
  classificationId?: string | null;
  creditLimitMinor?: number | null;
  paymentTermsId?: string | null;
}

export interface NewJournal {
  contactId: string;
  type: JournalType;
  transactionType: JournalTransactionType;
  amountMinor: number;
  /** checked against the wallet's currency when given */
  currency?: string;
  postedOn?: number;
  referenceNumber?: string | null;
  purchaseId?: string | null;
  notes?: string | null;
}

export interface NewPurchase {
  referenceNumber: string;
  contactId: string;
  organisationId?: string | null;
  currencyCode: string;
  date?: number;
  totalMinor: number;
  netMinor?: number | null;
  taxMinor?: number | null;
  products?: PurchaseProductRecord[];
  notes?: string | null;
  spendRequestMinor?: number;
}

/** The simulated back office: its records and the business rules shared by the HTTP routes and the test API. */
export class CrmComStore {
  readonly contacts = new Map<string, ContactRecord>();
  /** contacts by code, so a large back office (the benchmark's) answers a code lookup without a scan */
  private readonly contactsByCode = new Map<string, ContactRecord>();
  readonly accounts = new Map<string, AccountRecord>();
  /** Per contact, its accounts; per wallet, its journals in creation order: lookups that stay fast at 100,000 contacts. */
  private readonly accountsByContact = new Map<string, AccountRecord[]>();
  private readonly journalsByWallet = new Map<string, JournalRecord[]>();
  readonly wallets = new Map<string, WalletRecord>();
  readonly purchases = new Map<string, PurchaseRecord>();
  readonly journals = new Map<string, JournalRecord>();
  private sequence = 0;

  constructor(private readonly settings: StoreSettings) {}

  reset(): void {
    this.contacts.clear();
    this.contactsByCode.clear();
    this.accounts.clear();
    this.accountsByContact.clear();
    this.journalsByWallet.clear();
    this.wallets.clear();
    this.purchases.clear();
    this.journals.clear();
    this.sequence = 0;
  }

  nowSeconds(): number {
    return epochSeconds(this.settings.now());
  }

  /** By GUID, or by the contact's code (CRM.COM accepts either in the path). */
  findContact(idOrCode: string): ContactRecord | undefined {
    return this.contacts.get(idOrCode) ?? this.findContactByCode(idOrCode);
  }

  findContactByCode(code: string): ContactRecord | undefined {
    return this.contactsByCode.get(code);
  }

  requireContact(idOrCode: string): ContactRecord {
    const contact = this.findContact(idOrCode);
    if (!contact) throw notFound('Contact');
    return contact;
  }

  createContact(input: NewContact): ContactRecord {
    if (input.id !== undefined && this.contacts.has(input.id)) {
      throw new CrmError(400, CrmExceptionCode.alreadyExists, 'A contact with this id already exists', ['id']);
    }
    this.assertCodeFree(input.code ?? null, undefined);
    const now = this.nowSeconds();
    const contact: ContactRecord = {
      id: input.id ?? randomUUID(),
      code: input.code ?? null,
      contactType: input.contactType,
      firstName: input.firstName,
      lastName: input.lastName,
      email: input.email ?? null,
      phone: input.phone ?? null,
      emailOptOut: input.emailOptOut ?? false,
      smsOptOut: input.smsOptOut ?? false,
      walletId: null,
      createdDate: now,
      updatedDate: now,
      sequence: this.nextSequence(),
    };
    this.contacts.set(contact.id, contact);
    if (contact.code !== null) this.contactsByCode.set(contact.code, contact);
    return contact;
  }

  updateContact(idOrCode: string, patch: ContactPatch): ContactRecord {
    const contact = this.requireContact(idOrCode);
    if (patch.code !== undefined) this.assertCodeFree(patch.code, contact.id);
    if (patch.code !== undefined) {
      if (contact.code !== null) this.contactsByCode.delete(contact.code);
      contact.code = patch.code;
      if (patch.code !== null) this.contactsByCode.set(patch.code, contact);
    }
    if (patch.contactType !== undefined) contact.contactType = patch.contactType;
    if (patch.firstName !== undefined) contact.firstName = patch.firstName;
    if (patch.lastName !== undefined) contact.lastName = patch.lastName;
    if (patch.email !== undefined) contact.email = patch.email;
    if (patch.phone !== undefined) contact.phone = patch.phone;
    if (patch.emailOptOut !== undefined) contact.emailOptOut = patch.emailOptOut;
    if (patch.smsOptOut !== undefined) contact.smsOptOut = patch.smsOptOut;
    contact.updatedDate = this.nowSeconds();
    return contact;
  }

  accountsOf(contactId: string): AccountRecord[] {
    return (this.accountsByContact.get(contactId) ?? []).filter((account) => this.accounts.has(account.id));
  }

  /** The contact's first primary account also brings its wallet: in V5 the wallet hangs off the contact. */
  createAccount(contactIdOrCode: string, input: NewAccount): AccountRecord {
    const contact = this.requireContact(contactIdOrCode);
    const existing = this.accountsOf(contact.id);
    if (input.isPrimary && existing.some((account) => account.isPrimary)) {
      throw invalidValue('is_primary', 'The contact already has a primary account');
    }
    const account: AccountRecord = {
      id: randomUUID(),
      contactId: contact.id,
      number: `ACC${String(this.accounts.size + 1).padStart(8, '0')}`,
      name: `${contact.firstName} ${contact.lastName}`,
      isPrimary: input.isPrimary,
      currencyCode: input.currencyCode,
      state: 'ACTIVE',
      classificationId: input.classificationId ?? null,
      creditLimitMinor: input.creditLimitMinor ?? null,
      paymentTermsId: input.paymentTermsId ?? null,
      createdDate: this.nowSeconds(),
      sequence: this.nextSequence(),
    };
    this.accounts.set(account.id, account);
    this.accountsByContact.set(contact.id, [...(this.accountsByContact.get(contact.id) ?? []), account]);
    if (account.isPrimary && contact.walletId === null) this.createWallet(contact, account.currencyCode);
    return account;
  }

  /** Top-ups fill the open pool, everything else the commerce pool; debits use commerce first. */
  balancesOf(walletId: string): WalletBalances {
    let openMinor = 0;
    let commerceMinor = 0;
    for (const journal of this.journalsByWallet.get(walletId) ?? []) {
      // a test may take a journal out of the map directly
      if (!this.journals.has(journal.id)) continue;
      if (journal.type === 'CREDIT') {
        if (journal.transactionType === 'TOP_UP') openMinor += journal.amountMinor;
        else commerceMinor += journal.amountMinor;
      } else {
        const fromCommerce = Math.min(commerceMinor, journal.amountMinor);
        commerceMinor -= fromCommerce;
        openMinor -= journal.amountMinor - fromCommerce;
      }
    }
    return { totalMinor: openMinor + commerceMinor, openMinor, commerceMinor };
  }

  postJournal(input: NewJournal): JournalRecord {
    const contact = this.requireContact(input.contactId);
    const wallet = this.walletOf(contact);
    this.assertJournalAllowed(wallet, input);
    const journal: JournalRecord = {
      id: randomUUID(),
      type: input.type,
      transactionType: input.transactionType,
      amountMinor: input.amountMinor,
      currency: wallet.currencyCode,
      postedOn: input.postedOn ?? this.nowSeconds(),
      createdDate: this.nowSeconds(),
      contactId: contact.id,
      walletId: wallet.id,
      referenceNumber: input.referenceNumber ?? null,
      purchaseId: input.purchaseId ?? null,
      notes: input.notes ?? null,
      sequence: this.nextSequence(),
    };
    this.journals.set(journal.id, journal);
    const ofWallet = this.journalsByWallet.get(wallet.id);
    if (ofWallet) ofWallet.push(journal);
    else this.journalsByWallet.set(wallet.id, [journal]);
    return journal;
  }

  /** Creates the purchase, then its spend (when requested) and the awards of every reward offer. */
  createPurchase(input: NewPurchase): PurchaseRecord {
    const contact = this.findContact(input.contactId);
    if (!contact) throw invalidValue('contact.id', 'Contact not found');
    if (input.currencyCode !== this.settings.currency) {
      throw invalidValue('currency_code', `Currency must be ${this.settings.currency}`);
    }
    if (this.settings.rejectDuplicatePurchaseReferences && this.purchaseByReference(input.referenceNumber)) {
      throw new CrmError(400, CrmExceptionCode.alreadyExists, 'A purchase with this reference number already exists', [
        'reference_number',
      ]);
    }
    const spendMinor = input.spendRequestMinor ?? 0;
    if (spendMinor > 0) {
      this.assertJournalAllowed(this.walletOf(contact), { type: 'DEBIT', amountMinor: spendMinor });
    }
    const purchase: PurchaseRecord = {
      id: randomUUID(),
      referenceNumber: input.referenceNumber,
      contactId: contact.id,
      organisationId: input.organisationId ?? null,
      currencyCode: input.currencyCode,
      date: input.date ?? this.nowSeconds(),
      totalMinor: input.totalMinor,
      netMinor: input.netMinor ?? null,
      taxMinor: input.taxMinor ?? null,
      products: input.products ?? [],
      notes: input.notes ?? null,
      createdDate: this.nowSeconds(),
      sequence: this.nextSequence(),
    };
    this.purchases.set(purchase.id, purchase);
    const rewardPostedOn = this.settings.awardsPostedOnPurchaseDate ? purchase.date : undefined;
    const linkToPurchase = { referenceNumber: purchase.referenceNumber, purchaseId: purchase.id, postedOn: rewardPostedOn };
    if (spendMinor > 0) {
      this.postJournal({ contactId: contact.id, type: 'DEBIT', transactionType: 'SPEND', amountMinor: spendMinor, ...linkToPurchase });
    }
    if (contact.walletId !== null) {
      for (const offer of this.settings.rewardOffers) {
        const amountMinor = awardMinorFor(offer, purchase.totalMinor);
        if (amountMinor <= 0) continue;
        this.postJournal({
          contactId: contact.id,
          type: 'CREDIT',
          transactionType: 'AWARD',
          amountMinor,
          notes: offer.name,
          ...linkToPurchase,
        });
      }
    }
    return purchase;
  }

  purchaseByReference(referenceNumber: string): PurchaseRecord | undefined {
    for (const purchase of this.purchases.values()) if (purchase.referenceNumber === referenceNumber) return purchase;
    return undefined;
  }

  journalsOfPurchase(purchaseId: string): JournalRecord[] {
    return [...this.journals.values()].filter((journal) => journal.purchaseId === purchaseId);
  }

  private journalsInCreationOrder(): JournalRecord[] {
    return [...this.journals.values()].sort((a, b) => a.sequence - b.sequence);
  }

  private walletOf(contact: ContactRecord): WalletRecord {
    const wallet = contact.walletId === null ? undefined : this.wallets.get(contact.walletId);
    if (!wallet) throw invalidValue('entity', 'The contact has no wallet');
    return wallet;
  }

  private assertJournalAllowed(
    wallet: WalletRecord,
    input: Pick<NewJournal, 'type' | 'amountMinor' | 'currency'>,
  ): void {
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) {
      throw invalidValue('amount', 'Amount must be greater than zero');
    }
    if (input.currency !== undefined && input.currency !== wallet.currencyCode) {
      throw invalidValue('currency_code', `Currency must be ${wallet.currencyCode}`);
    }
    if (input.type === 'DEBIT' && input.amountMinor > this.balancesOf(wallet.id).totalMinor) {
      throw new CrmError(400, CrmExceptionCode.walletBalanceNotEnough, 'Wallet balance is not enough', ['amount']);
    }
  }

  private createWallet(contact: ContactRecord, currencyCode: string): WalletRecord {
    const wallet: WalletRecord = {
      id: randomUUID(),
      code: `WAL${String(this.wallets.size + 1).padStart(8, '0')}`,
      contactId: contact.id,
      currencyCode,
      createdDate: this.nowSeconds(),
      sequence: this.nextSequence(),
    };
    this.wallets.set(wallet.id, wallet);
    contact.walletId = wallet.id;
    return wallet;
  }

  private assertCodeFree(code: string | null, ownerId: string | undefined): void {
    if (code === null) return;
    const holder = this.findContactByCode(code);
    if (holder && holder.id !== ownerId) {
      throw new CrmError(400, CrmExceptionCode.alreadyExists, 'A contact with this code already exists', ['code']);
    }
  }

  private nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }
}
