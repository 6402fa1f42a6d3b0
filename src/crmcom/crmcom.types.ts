/** CRM.COM Back-Office resources as the connector uses them. Amounts are integer minor units, dates epoch seconds. */

export interface CrmContact {
  id: string;
  code: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** E.164, read from whatever form CRM.COM holds (see common/phone.ts); null when none is readable */
  phoneNumber: string | null;
  walletId: string | null;
  /**
   * The wallet's total balance as the contact read with its wallet showed it; null when it showed none (then the
   * balance is read from the wallet itself).
   */
  walletBalanceMinor: number | null;
  emailOptOut: boolean;
  smsOptOut: boolean;
}

/** Fields to write; a field left undefined is not sent, null clears it. */
export interface CrmContactWrite {
  code?: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phoneNumber?: string | null;
  emailOptOut?: boolean;
  smsOptOut?: boolean;
}

export type CrmContactFilter = { code: string } | { email: string } | { phone: string };

export interface CrmAccount {
  id: string;
  isPrimary: boolean;
  currency: string | null;
}

export interface CrmWallet {
  id: string;
  contactId: string | null;
  currency: string | null;
  /** `total_balance`. */
  balanceMinor: number;
}

export interface CrmPurchaseProduct {
  sku: string;
  name: string;
  quantity: number;
  totalMinor: number;
}

export interface CrmPurchaseWrite {
  referenceNumber: string;
  contactId: string;
  organisationId?: string | null;
  currency: string;
  dateEpochSeconds: number;
  totalMinor: number;
  netMinor?: number | null;
  taxMinor?: number | null;
  products: CrmPurchaseProduct[];
}

export interface CrmPurchase {
  id: string;
  referenceNumber: string | null;
  contactId: string | null;
  totalMinor: number | null;
  date: number | null;
}

export type CrmJournalType = 'CREDIT' | 'DEBIT';

export interface CrmJournalWrite {
  action: CrmJournalType;
  amountMinor: number;
  currency: string;
  referenceNumber: string;
  notes: string;
}

export interface CrmJournal {
  id: string;
  type: CrmJournalType;
  transactionType: string | null;
  amountMinor: number;
  currency: string | null;
  /** Epoch seconds. */
  postedOn: number;
  /** null when the item names only its wallet (the documented list shape) */
  contactId: string | null;
  walletId: string | null;
  /** `entity` when the item says it (re-checked against the WALLET filter) */
  entity: string | null;
  referenceNumber: string | null;
  purchaseId: string | null;
}

export interface CrmJournalsQuery {
  /** Epoch seconds, inclusive. */
  postedOnGte: number;
  /** Epoch seconds, exclusive. */
  postedOnLt?: number;
  referenceNumber?: string;
  contactId?: string;
}
