import { CrmComStore } from './crmcom-store';
import { AccountRecord, ContactRecord, JournalRecord, PurchaseRecord, WalletRecord } from './crmcom-records';
import { minorToMajor } from './money';

/** Records as CRM.COM shows them: snake_case, major units, epoch seconds. */

export function contactToWire(contact: ContactRecord, store: CrmComStore, includeWallet: boolean, variants: { walletsWithoutBalance?: boolean } = {}) {
  const wallet = contact.walletId === null ? undefined : store.wallets.get(contact.walletId);
  return {
    id: contact.id,
    code: contact.code,
    contact_type: contact.contactType,
    first_name: contact.firstName,
    last_name: contact.lastName,
    email: contact.email,
    phone: contact.phone && {
      type: contact.phone.type,
      ...(contact.phone.countryCode !== undefined ? { country_code: contact.phone.countryCode } : {}),
      number: contact.phone.number,
    },
    email_opt_out: contact.emailOptOut,
    sms_opt_out: contact.smsOptOut,
    ...(includeWallet ? { wallet: wallet ? walletRefToWire(wallet, store, variants) : null } : {}),
    created_date: contact.createdDate,
    updated_date: contact.updatedDate,
  };
}

/**
 * The wallet a contact read with include_wallet=true shows. The documents' contact has `wallet{id,code}` and say the
 * wallet (with its balances) comes with the contact; the simulator adds the total balance as GET /wallets/:id names it,
 * the connector's inferred reading (README "Performance"), unless the `walletsWithoutBalance` variant is on.
 */
function walletRefToWire(wallet: WalletRecord, store: CrmComStore, variants: { walletsWithoutBalance?: boolean }) {
  const ref = { id: wallet.id, code: wallet.code };
  return variants.walletsWithoutBalance ? ref : { ...ref, total_balance: minorToMajor(store.balancesOf(wallet.id).totalMinor) };
}

export function accountToWire(account: AccountRecord) {
  return {
    id: account.id,
    number: account.number,
    name: account.name,
    is_primary: account.isPrimary,
    currency_code: account.currencyCode,
    state: account.state,
    credit_limit: account.creditLimitMinor === null ? null : minorToMajor(account.creditLimitMinor),
    created_date: account.createdDate,
  };
}

export function walletToWire(wallet: WalletRecord, store: CrmComStore) {
  const balances = store.balancesOf(wallet.id);
  return {
    id: wallet.id,
    code: wallet.code,
    contact: { id: wallet.contactId },
    currency_code: wallet.currencyCode,
    total_balance: minorToMajor(balances.totalMinor),
    total_open: minorToMajor(balances.openMinor),
    total_commerce: minorToMajor(balances.commerceMinor),
    balances: [
      {
        type: 'CRM',
        currency_code: wallet.currencyCode,
        total: minorToMajor(balances.totalMinor),
        open: minorToMajor(balances.openMinor),
        commerce: minorToMajor(balances.commerceMinor),
      },
    ],
  };
}

export function purchaseToWire(purchase: PurchaseRecord, store: CrmComStore) {
  const rewardsMinor = { AWARD: 0, SPEND: 0, REDEEM: 0 } as Record<string, number>;
  for (const journal of store.journalsOfPurchase(purchase.id)) {
    if (journal.transactionType in rewardsMinor) rewardsMinor[journal.transactionType] += journal.amountMinor;
  }
  return {
    id: purchase.id,
    reference_number: purchase.referenceNumber,
    state: 'POSTED',
    contact: { id: purchase.contactId },
    organisation: purchase.organisationId === null ? null : { id: purchase.organisationId },
    currency_code: purchase.currencyCode,
    date: purchase.date,
    created_date: purchase.createdDate,
    transaction_amounts: {
      total: minorToMajor(purchase.totalMinor),
      ...(purchase.netMinor !== null ? { net: minorToMajor(purchase.netMinor) } : {}),
      ...(purchase.taxMinor !== null ? { tax: minorToMajor(purchase.taxMinor) } : {}),
    },
    products: purchase.products.map((product) => ({
      sku: product.sku,
      name: product.name,
      quantity: product.quantity,
      total_amount: minorToMajor(product.totalAmountMinor),
    })),
    notes: purchase.notes,
    rewards: {
      award: minorToMajor(rewardsMinor.AWARD),
      spend: minorToMajor(rewardsMinor.SPEND),
      redeem: minorToMajor(rewardsMinor.REDEEM),
    },
  };
}

export function journalToWire(journal: JournalRecord) {
  return {
    id: journal.id,
    type: journal.type,
    transaction_type: journal.transactionType,
    amount: minorToMajor(journal.amountMinor),
    currency: journal.currency,
    posted_on: journal.postedOn,
    created_date: journal.createdDate,
    contact: { id: journal.contactId },
    wallet: { id: journal.walletId },
    reference_number: journal.referenceNumber,
    purchase_id: journal.purchaseId,
    notes: journal.notes,
  };
}
