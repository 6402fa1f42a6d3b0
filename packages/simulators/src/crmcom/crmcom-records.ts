/** What the simulator stores. Money in integer minor units, dates in epoch seconds (as on the wire). */

export interface PhoneRecord {
  type: string;
  countryCode?: string;
  number: string;
}

export interface ContactRecord {
  id: string;
  code: string | null;
  contactType: 'PERSON' | 'COMPANY';
  firstName: string;
  lastName: string;
  email: string | null;
  phone: PhoneRecord | null;
  emailOptOut: boolean;
  smsOptOut: boolean;
  walletId: string | null;
  createdDate: number;
  updatedDate: number;
  sequence: number;
}

export interface AccountRecord {
  id: string;
  contactId: string;
  number: string;
  name: string;
  isPrimary: boolean;
  currencyCode: string;
  state: 'ACTIVE';
  classificationId: string | null;
  creditLimitMinor: number | null;
  paymentTermsId: string | null;
  createdDate: number;
  sequence: number;
}

export interface WalletRecord {
  id: string;
  code: string;
  contactId: string;
  currencyCode: string;
  createdDate: number;
  sequence: number;
}

export interface PurchaseProductRecord {
  sku: string;
  name: string | null;
  quantity: number;
  totalAmountMinor: number;
}

export interface PurchaseRecord {
  id: string;
  referenceNumber: string;
  contactId: string;
  organisationId: string | null;
  currencyCode: string;
  date: number;
  totalMinor: number;
  netMinor: number | null;
  taxMinor: number | null;
  products: PurchaseProductRecord[];
  notes: string | null;
  createdDate: number;
  sequence: number;
}

export type JournalType = 'CREDIT' | 'DEBIT';
export type JournalTransactionType = 'AWARD' | 'SPEND' | 'REDEEM' | 'TOP_UP' | 'ADJUSTMENT';

export interface JournalRecord {
  id: string;
  type: JournalType;
  transactionType: JournalTransactionType;
  amountMinor: number;
  currency: string;
  postedOn: number;
  createdDate: number;
  contactId: string;
  walletId: string;
  referenceNumber: string | null;
  purchaseId: string | null;
  notes: string | null;
  sequence: number;
}

export interface WalletBalances {
  totalMinor: number;
  openMinor: number;
  commerceMinor: number;
}

/** Lists sort on CREATED_DATE; the sequence breaks ties inside one second. */
export interface CreatedOrdered {
  createdDate: number;
  sequence: number;
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
